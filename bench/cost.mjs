#!/usr/bin/env node
// Request cost inside workerd (wrangler dev, local D1): creating credentials and listing 100 of them through the
// app, beside a bare D1 insert and a bare 100-row select on the same runtime; and D1 calls per request, counted.
import { resolve } from 'node:path';
import { startDevWorker } from '../scripts/lib/dev-worker.mjs';

const N = Number(process.env.BENCH_REQUESTS ?? 200);
const worker = await startDevWorker({ config: resolve('bench/cost/wrangler.toml') });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const { user } = await worker.admin('POST', '/users', { userName: 'bench', email: 'bench@latchkey.localhost' });
  const { accessKey } = await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'bench' });
  const headers = { authorization: `Bearer ${accessKey}`, 'content-type': 'application/json' };
  const timed = async (path, init = {}) => {
    const t0 = performance.now();
    const res = await fetch(worker.url + path, { headers, ...init });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return { ms: performance.now() - t0, d1: Number(res.headers.get('x-d1-calls') ?? NaN) };
  };
  await timed('/bare/setup');
  // Warm both paths (and let the token's last-used write happen) before measuring.
  for (let i = 0; i < 20; i++) {
    await timed('/bare/insert', { method: 'POST' });
    await timed('/credentials', { method: 'POST', body: JSON.stringify({ credentials: { name: `warm-${i}`, provider: 'github', keys: { username: 'u', password: 'p' } } }) });
  }
  const create = [];
  const bareInsert = [];
  for (let i = 0; i < N; i++) {
    bareInsert.push(await timed('/bare/insert', { method: 'POST' }));
    create.push(await timed('/credentials', { method: 'POST', body: JSON.stringify({ credentials: { name: `c-${i}`, provider: 'github', keys: { username: 'u', password: `p-${i}` } } }) }));
  }
  const list = [];
  const bareSelect = [];
  for (let i = 0; i < N / 2; i++) {
    bareSelect.push(await timed('/bare/select'));
    list.push(await timed('/credentials?platformId=github'));
  }
  const out = (figure, app, bare) =>
    console.log(JSON.stringify({ figure, appMedianMs: Number(median(app.map((x) => x.ms)).toFixed(2)), bareMedianMs: Number(median(bare.map((x) => x.ms)).toFixed(2)), ratio: Number((median(app.map((x) => x.ms)) / median(bare.map((x) => x.ms))).toFixed(2)), d1CallsPerRequest: median(app.map((x) => x.d1)), requests: app.length }));
  out('cost.create-credentials', create, bareInsert);
  out('cost.list-100-credentials', list, bareSelect);
} finally {
  await worker.stop();
}
