/**
 * Load: 500 concurrent requests mixing creates (racing in pairs on each name), updates, lists and launches against
 * the worker under `wrangler dev` on 127.0.0.1, bounded in count and time. No write is lost, no name is taken twice,
 * and every answer is a 2xx or the correct 409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWorker, startPeers } from '../../scripts/lib/dev-worker.mjs';

let peers: Awaited<ReturnType<typeof startPeers>>;
let worker: Awaited<ReturnType<typeof startDevWorker>>;
let token = '';
let workspaceId = '';

async function api(method: string, path: string, body?: unknown) {
  const t0 = performance.now();
  const res = await fetch(worker.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, ms: performance.now() - t0 };
}

beforeAll(async () => {
  peers = await startPeers();
  worker = await startDevWorker({ vars: { AWS_ENDPOINT_URL: peers.secretsManagerUrl } });
  const { user } = await worker.admin('POST', '/users', { userName: 'loader', email: 'loader@example.com' });
  token = (await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'load' })).accessKey;
  const { orgId } = await worker.admin('POST', '/organizations', { name: 'load' });
  workspaceId = (await worker.admin('POST', `/organizations/${orgId}/workspaces`, { name: 'pipelines' })).workspaceId;
  await worker.admin('PUT', `/workspaces/${workspaceId}/members/${user.id}`, { role: 'owner' });
});

afterAll(async () => {
  await worker?.stop();
  await peers?.stop();
});

describe('500 concurrent requests', () => {
  it('lose no write, take no name twice, and answer 2xx or the correct 409', async () => {
    const q = `?workspaceId=${workspaceId}`;
    const account = await (await fetch(`${peers.secretsManagerUrl}/__control/accounts`, { method: 'POST' })).json();
    await fetch(`${peers.secretsManagerUrl}/__control/accounts/${account.accessKeyId}/delay`, { method: 'POST', body: JSON.stringify({ ms: 5 }) });
    const aws = await api('POST', `/credentials${q}`, { credentials: { name: 'aws-load', provider: 'aws', keys: { accessKey: account.accessKeyId, secretKey: account.secretAccessKey } } });
    expect(aws.status).toBe(200);
    expect((await api('POST', `/relay-targets${q}`, { accountId: account.accountId })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await api('POST', `/pipeline-secrets${q}`, { name: `LOAD_${i}`, value: `v${i}` })).status).toBe(200);
    const updatable: string[] = [];
    for (let i = 0; i < 10; i++) updatable.push((await api('POST', `/credentials${q}`, { credentials: { name: `upd-${i}`, provider: 'github', keys: { username: 'u', password: 'p' } } })).body.credentialsId);

    type Op = { kind: 'create' | 'update' | 'list' | 'launch'; key: string; run: () => ReturnType<typeof api> };
    const ops: Op[] = [];
    for (let i = 0; i < 200; i++) {
      const name = `race-${i % 100}`;
      ops.push({ kind: 'create', key: name, run: () => api('POST', `/credentials${q}`, { credentials: { name, provider: 'gitlab', keys: { username: 'u', token: `t${i}` } } }) });
    }
    for (let i = 0; i < 100; i++) {
      const id = updatable[i % 10]!;
      ops.push({ kind: 'update', key: id, run: () => api('PUT', `/credentials/${id}${q}`, { credentials: { name: `upd-${i % 10}`, provider: 'github', description: `write-${i}`, keys: { username: 'u' } } }) });
    }
    for (let i = 0; i < 150; i++) ops.push({ kind: 'list', key: String(i), run: () => api('GET', `/credentials${q}`) });
    for (let i = 0; i < 50; i++) ops.push({ kind: 'launch', key: String(i), run: () => api('POST', `/runs${q}`, { credentialsId: aws.body.credentialsId, region: 'eu-west-1' }) });
    // Interleave the kinds, then fire all 500 at once.
    ops.sort((a, b) => ((a.key.length * 7919 + a.kind.length * 104729) % 997) - ((b.key.length * 7919 + b.kind.length * 104729) % 997));
    const t0 = performance.now();
    const results = await Promise.all(ops.map(async (op) => ({ op, res: await op.run() })));
    const wall = performance.now() - t0;

    const unexpected = results.filter(({ op, res }) => !(res.status < 300 || (op.kind === 'create' && res.status === 409)));
    expect(unexpected.map(({ op, res }) => `${op.kind} ${op.key}: ${res.status} ${res.body?.message}`)).toEqual([]);
    // Each name raced twice: exactly one create won, the other got 409.
    const byName = new Map<string, number[]>();
    for (const { op, res } of results) if (op.kind === 'create') byName.set(op.key, [...(byName.get(op.key) ?? []), res.status]);
    for (const [name, statuses] of byName) expect(statuses.sort(), name).toEqual([200, 409]);
    // Nothing lost, nothing doubled.
    const listed = (await api('GET', `/credentials${q}`)).body.credentials as Array<{ name: string; id: string; description: string | null }>;
    const names = listed.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith('race-'))).toHaveLength(100);
    for (const id of updatable) expect(listed.find((c) => c.id === id)?.description).toMatch(/^write-\d+$/);
    const runs = (await api('GET', `/runs${q}`)).body.runs as Array<{ id: string; state: string }>;
    expect(runs.filter((r) => r.state === 'launched')).toHaveLength(50);
    for (const r of runs) expect((await api('POST', `/runs/${r.id}/complete${q}`, {})).status).toBe(200);
    const left = await (await fetch(`${peers.secretsManagerUrl}/__control/accounts/${account.accessKeyId}`)).json();
    expect(left.secrets).toEqual([]);

    const ms = results.map((r) => r.res.ms).sort((a, b) => a - b);
    console.info(JSON.stringify({ figure: 'load.500', wallMs: Math.round(wall), p50Ms: Math.round(ms[250]!), p99Ms: Math.round(ms[495]!), maxMs: Math.round(ms[499]!) }));
  });
});
