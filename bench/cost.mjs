#!/usr/bin/env node
// Request cost inside workerd (wrangler dev, local D1), with the AWS stand-in of test/peers:
// 1. creating credentials and listing 100 of them through the app, beside a bare D1 insert and a bare 100-row select
//    on the same runtime (alternating which goes first, medians);
// 2. D1 round trips per route, counted by the bench worker's wrapped D1 binding (x-d1-calls; a db.batch is one);
// 3. the sweeper's throughput: stale runs cleaned by one scheduled invocation against a stand-in answering each AWS
//    call in BENCH_AWS_LATENCY_MS, scaled to an hour at the cron interval of wrangler.toml (every 10 minutes).
// Prints one JSON line per figure.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDevWorker, startPeers } from '../scripts/lib/dev-worker.mjs';

const N = Number(process.env.BENCH_REQUESTS ?? 200);
const SWEEP_RUNS = Number(process.env.BENCH_SWEEP_RUNS ?? 600);
const AWS_LATENCY_MS = Number(process.env.BENCH_AWS_LATENCY_MS ?? 20);
const CRON_MINUTES = 10; // wrangler.toml: crons = ["*/10 * * * *"]
const peers = await startPeers();
const worker = await startDevWorker({ config: resolve('bench/cost/wrangler.toml'), vars: { AWS_ENDPOINT_URL: peers.secretsManagerUrl } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const { user } = await worker.admin('POST', '/users', { userName: 'bench', email: 'bench@latchkey.localhost' });
  const { accessKey } = await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'bench' });
  const headers = { authorization: `Bearer ${accessKey}`, 'content-type': 'application/json' };
  const timed = async (path, init = {}) => {
    const t0 = performance.now();
    const res = await fetch(worker.url + path, { headers, ...init });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { ms: performance.now() - t0, d1: Number(res.headers.get('x-d1-calls') ?? NaN), body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
  };
  const post = (path, body, extra = {}) => timed(path, { method: 'POST', body: JSON.stringify(body ?? {}), ...extra });
  await timed('/bare/setup');
  // Warm both paths (and let the token's last-used write happen) before measuring.
  for (let i = 0; i < 20; i++) {
    await timed('/bare/insert', { method: 'POST' });
    await post('/credentials', { credentials: { name: `warm-${i}`, provider: 'github', keys: { username: 'u', password: 'p' } } });
  }
  // Alternation: odd iterations time the app first, even ones the bare route, so neither always runs warmer.
  const pair = async (i, app, bare, into) => {
    if (i % 2) {
      into.app.push(await app());
      into.bare.push(await bare());
    } else {
      into.bare.push(await bare());
      into.app.push(await app());
    }
  };
  const create = { app: [], bare: [] };
  // The same request to both: the bare route receives the body the app does, and stores it as its row.
  const body = (i) => ({ credentials: { name: `c-${i}`, provider: 'github', keys: { username: 'u', password: `p-${i}` } } });
  for (let i = 0; i < N; i++)
    await pair(i, () => post('/credentials', body(i)), () => post('/bare/insert', body(i)), create);
  const list = { app: [], bare: [] };
  for (let i = 0; i < N; i++) await pair(i, () => timed('/credentials?platformId=github&max=100'), () => timed('/bare/select'), list);
  const out = (figure, { app, bare }) => {
    const a = median(app.map((x) => x.ms));
    const b = median(bare.map((x) => x.ms));
    const spread = (xs) => {
      const s = [...xs.map((x) => x.ms)].sort((p, q) => p - q);
      return [Number(s[Math.floor(s.length / 4)].toFixed(2)), Number(s[Math.floor((3 * s.length) / 4)].toFixed(2))];
    };
    console.log(
      JSON.stringify({
        figure, appMedianMs: Number(a.toFixed(2)), bareMedianMs: Number(b.toFixed(2)), ratio: Number((a / b).toFixed(2)), goal: 1.2,
        appQuartilesMs: spread(app), bareQuartilesMs: spread(bare), d1CallsPerRequest: median(app.map((x) => x.d1)), requests: app.length,
      }),
    );
  };
  // Context for the create ratio: a bare write after a bare read, the two round trips any authorized write needs.
  const twoTrips = { app: [], bare: [] };
  for (let i = 0; i < N / 2; i++) await pair(i, () => timed('/bare/read-then-insert', { method: 'POST' }), () => timed('/bare/insert', { method: 'POST' }), twoTrips);
  out('cost.create-credentials', create);
  out('cost.bare-read-then-insert', twoTrips);
  out('cost.list-100-credentials', list);

  // D1 round trips per route (deterministic: one request each, counted inside the worker).
  const trips = {};
  const created = await post('/credentials', { credentials: { name: 'trips', provider: 'github', keys: { username: 'u', password: 'p' } } });
  trips['credentials.create'] = created.d1;
  const id = created.body.credentialsId;
  trips['credentials.list'] = (await timed('/credentials?max=100')).d1;
  trips['credentials.get'] = (await timed(`/credentials/${id}`)).d1;
  trips['credentials.update'] = (await timed(`/credentials/${id}`, { method: 'PUT', body: JSON.stringify({ credentials: { name: 'trips2', provider: 'github', keys: { username: 'u2' } } }) })).d1;
  trips['credentials.delete'] = (await timed(`/credentials/${id}`, { method: 'DELETE' })).d1;
  const control = (path, body) => fetch(`${peers.secretsManagerUrl}/__control${path}`, { method: 'POST', body: body && JSON.stringify(body) }).then((r) => r.json());
  const account = await control('/accounts');
  await post('/relay-targets', { accountId: account.accountId });
  const { body: aws } = await post('/credentials', { credentials: { name: 'bench-aws', provider: 'aws', keys: { accessKey: account.accessKeyId, secretKey: account.secretAccessKey } } });
  const names = [];
  for (let i = 0; i < 20; i++) {
    names.push(`SECRET_${String(i).padStart(3, '0')}`);
    await post('/pipeline-secrets', { name: names[i], value: `value-${i}` });
  }
  const launch = (n) => post('/runs', { credentialsId: aws.credentialsId, region: 'eu-west-1', secrets: names.slice(0, n) });
  await post(`/runs/${(await launch(1)).body.run.id}/complete`, {}); // the first launch learns the account (STS)
  trips['launch.1'] = (await launch(1)).d1;
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const l = await launch(20);
    trips['launch.20'] = l.d1;
    runs.push(l.body);
  }
  trips['complete.post'] = (await post(`/runs/${runs[0].run.id}/complete`, {})).d1;
  const weblog = new URL(runs[1].completionUrl);
  const completedEvent = JSON.parse(readFileSync(resolve('test/fixtures/weblog/completed.json'), 'utf8'));
  trips['complete.weblog'] = (await timed(weblog.pathname + weblog.search, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(completedEvent) })).d1;
  const runToken = new URL(runs[2].completionUrl).searchParams.get('token');
  trips['complete.trace'] = (
    await timed(`/trace/${runs[2].run.id}/complete`, {
      method: 'PUT', headers: { authorization: `Bearer ${runToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: { success: true }, metrics: [], instant: Date.now() }),
    })
  ).d1;
  console.log(JSON.stringify({ figure: 'cost.d1-round-trips', goal: { read: 1, write: 2, launch: 3, completion: 2 }, ...trips }));

  // Sweeper: SWEEP_RUNS runs of one secret each whose completion never came, then one scheduled invocation.
  for (let i = 0; i < SWEEP_RUNS; i++) await launch(1);
  await post('/bench/end-runs');
  await control(`/accounts/${account.accessKeyId}/delay`, { ms: AWS_LATENCY_MS, fromArrival: true });
  const sweep = (await post('/bench/sweep')).body;
  await control(`/accounts/${account.accessKeyId}/delay`, { ms: 0 });
  const perHour = sweep.cleaned * (60 / CRON_MINUTES);
  console.log(
    JSON.stringify({
      figure: 'sweeper.runs-per-hour', runsPerHour: perHour, goal: 1000, staleRuns: SWEEP_RUNS, secretsPerRun: 1, cleanedPerInvocation: sweep.cleaned,
      deferred: sweep.deferred, invocationMs: sweep.ms, awsLatencyMs: AWS_LATENCY_MS, cronEveryMinutes: CRON_MINUTES, maxSubrequests: sweep.maxSubrequests,
    }),
  );
} finally {
  await worker.stop();
  await peers.stop();
}
