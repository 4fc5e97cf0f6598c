#!/usr/bin/env node
// Relay figures: how long POST /runs takes to put N secrets into Secrets Manager, against the stand-in with a
// fixed 20 ms latency per AWS call, beside the ideal ceil(N/6) × 20 ms (6 connections at a time, no other cost).
// The worker runs under `wrangler dev` (workerd) with a fresh local D1. Prints one JSON line per figure, with the
// median of an authenticated read (GET /user-info) timed alternately with the launches: this harness's floor for
// any request, which the ideal does not include. The stand-in's delay runs from a request's arrival to its answer.
// Beside the computed ideal, a measured one: the bench worker's bare relay (bench/cost/worker.ts), the same N
// CreateSecret calls from the same runtime, 6 at a time, with nothing else (no D1, vault or checks), timed alternately
// with the launches. It is the floor this harness (HTTP to workerd, the stand-in's own time, local sockets) sets for
// any client; the app runs in the same bench worker (its D1 binding wrapped to count calls). Each is also timed
// inside workerd by the bench worker (x-worker-ms): the request's time in the runtime, without the HTTP hop from
// this script, against the same computed ideal.
import { resolve } from 'node:path';
import { startDevWorker, startPeers } from '../scripts/lib/dev-worker.mjs';

const LATENCY_MS = 20;
const SIZES = (process.env.BENCH_SIZES ?? '1,10,50,200').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

const peers = await startPeers();
const worker = await startDevWorker({ config: resolve('bench/cost/wrangler.toml'), vars: { AWS_ENDPOINT_URL: peers.secretsManagerUrl } });
try {
  const control = (path, body) => fetch(`${peers.secretsManagerUrl}/__control${path}`, { method: 'POST', body: body && JSON.stringify(body) }).then((r) => r.json());
  const { user } = await worker.admin('POST', '/users', { userName: 'bench', email: 'bench@latchkey.localhost' });
  const { accessKey } = await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'bench' });
  /** The answer, with the time the request spent inside workerd (the bench worker's x-worker-ms) beside it. */
  const api = async (method, path, body) => {
    const res = await fetch(worker.url + path, { method, headers: { authorization: `Bearer ${accessKey}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.message}`);
    return Object.defineProperty(json, 'workerMs', { value: Number(res.headers.get('x-worker-ms')) });
  };
  const account = await control('/accounts');
  await control(`/accounts/${account.accessKeyId}/delay`, { ms: LATENCY_MS, fromArrival: true });
  await api('POST', '/relay-targets', { accountId: account.accountId });
  const { credentialsId } = await api('POST', '/credentials', { credentials: { name: 'bench-aws', provider: 'aws', keys: { accessKey: account.accessKeyId, secretKey: account.secretAccessKey } } });
  const names = [];
  for (let i = 0; i < Math.max(...SIZES); i++) {
    const name = `BENCH_${String(i).padStart(3, '0')}`;
    await api('POST', '/pipeline-secrets', { name, value: `value-${i}-${'x'.repeat(32)}` });
    names.push(name);
  }
  // One untimed launch warms the isolate, D1 and the connections.
  const warm = await api('POST', '/runs', { credentialsId, region: 'eu-west-1', secrets: names.slice(0, 6) });
  await api('POST', `/runs/${warm.run.id}/complete`, {});

  const bare = (n, r) => api('POST', '/bare/relay', { n, accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey, region: 'eu-west-1', prefix: `bare/${n}/${r}` });
  await bare(6, 'warm');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  for (const n of SIZES) {
    const times = [];
    const floor = [];
    const bareTimes = [];
    const inWorker = { launch: [], bare: [] };
    for (let r = 0; r < REPEATS; r++) {
      const b0 = performance.now();
      inWorker.bare.push((await bare(n, r)).workerMs);
      bareTimes.push(performance.now() - b0);
      // The harness's own floor, alternated with the launches: an authenticated read (one D1 round trip) from here.
      const f0 = performance.now();
      await api('GET', '/user-info');
      floor.push(performance.now() - f0);
      const t0 = performance.now();
      const launched = await api('POST', '/runs', { credentialsId, region: 'eu-west-1', secrets: names.slice(0, n) });
      times.push(performance.now() - t0);
      inWorker.launch.push(launched.workerMs);
      await api('POST', `/runs/${launched.run.id}/complete`, {});
    }
    times.sort((a, b) => a - b);
    const launch = median(times);
    const ideal = Math.ceil(n / 6) * LATENCY_MS;
    const measuredIdeal = median(bareTimes);
    console.log(
      JSON.stringify({
        figure: 'relay.launch',
        secrets: n,
        awsLatencyMs: LATENCY_MS,
        medianMs: Math.round(launch),
        minMs: Math.round(times[0]),
        idealMs: ideal,
        ratioToIdeal: Number((launch / ideal).toFixed(2)),
        bareRelayMedianMs: Math.round(measuredIdeal),
        ratioToBareRelay: Number((launch / measuredIdeal).toFixed(2)),
        bareRelayToIdeal: Number((measuredIdeal / ideal).toFixed(2)),
        // The same, timed inside workerd from the request's arrival to its answer: without the HTTP hop between this
        // script and workerd (wrangler dev's proxy, about an authenticated read's floor), which the ideal leaves out too.
        inWorkerMedianMs: median(inWorker.launch),
        inWorkerRatioToIdeal: Number((median(inWorker.launch) / ideal).toFixed(2)),
        bareRelayInWorkerMs: median(inWorker.bare),
        bareRelayInWorkerToIdeal: Number((median(inWorker.bare) / ideal).toFixed(2)),
        goal: n === 1 ? 1.5 : 1.15,
        authenticatedReadMedianMs: Math.round(median(floor)),
        repeats: REPEATS,
      }),
    );
  }
} finally {
  await worker.stop();
  await peers.stop();
}
