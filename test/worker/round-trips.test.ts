/**
 * D1 round trips per route (issue 12), counted by wrapping the D1 binding as bench/cost/worker.ts does: a call of
 * run/first/all/raw or one db.batch is one round trip. Counts are deterministic, so the ceilings are asserted:
 * at most 1 for an authenticated read, 2 for a write, 3 for a launch and 2 for a completion whatever the number of
 * secrets. The token's once-a-minute last-used write runs after the answer (waitUntil) and is made before counting.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../worker/src/index';
import completedEvent from '../fixtures/weblog/completed.json';
import { addSecrets, awsCredentials, newAwsAccount, pathOf } from './aws';
import { admin, BASE, call, type Person, seedUser } from './helpers';
import { faultyD1 } from './faulty-d1';

let me: Person;

/** Calls the worker with a counting D1 binding; answers the status, the body and the round trips it made. */
async function counted(method: string, path: string, opts: { token?: string | null; json?: unknown } = {}) {
  const counter = faultyD1(env.DB, Number.POSITIVE_INFINITY);
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? me.token}`;
  const body = opts.json !== undefined || ['POST', 'PUT'].includes(method) ? JSON.stringify(opts.json ?? {}) : undefined;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(BASE + path, { method, headers, body }), { ...env, DB: counter.db }, ctx);
  const before = counter.calls();
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, roundTrips: before, afterAnswer: counter.calls() - before };
}

beforeAll(async () => {
  me = await seedUser('trips');
  await call('GET', '/user-info', { token: me.token }); // the token's last-used write for this minute
});

describe('D1 round trips per route', () => {
  it('credentials: list, get and validate in 1; create in 1 (a caller this isolate has seen; one-trip-create.test.ts), update and delete in 2', async () => {
    const created = await counted('POST', '/credentials', { json: { credentials: { name: 'gh', provider: 'github', keys: { username: 'u', password: 'p' } } } });
    expect([created.status, created.roundTrips]).toEqual([200, 1]);
    const id = created.body.credentialsId;
    expect((await counted('GET', '/credentials')).roundTrips).toBe(1);
    expect((await counted('GET', '/credentials?max=1&offset=0')).roundTrips).toBe(1);
    expect((await counted('GET', `/credentials/${id}`)).roundTrips).toBe(1);
    expect((await counted('GET', '/credentials/validate?name=free')).roundTrips).toBe(1);
    const updated = await counted('PUT', `/credentials/${id}`, { json: { credentials: { name: 'gh2', provider: 'github', keys: { username: 'u2' } } } });
    expect([updated.status, updated.roundTrips]).toEqual([204, 2]);
    const deleted = await counted('DELETE', `/credentials/${id}`);
    expect([deleted.status, deleted.roundTrips]).toEqual([204, 2]);
    // Refusals cost no more: a missing record is one round trip.
    expect(await counted('GET', `/credentials/${id}`)).toMatchObject({ status: 404, roundTrips: 1 });
  });

  it('pipeline secrets: list and get in 1; create in 1 (a caller this isolate has seen), update and delete in 2', async () => {
    const created = await counted('POST', '/pipeline-secrets', { json: { name: 'TRIP', value: 'v' } });
    expect([created.status, created.roundTrips]).toEqual([200, 1]);
    const id = created.body.secretId;
    expect((await counted('GET', '/pipeline-secrets')).roundTrips).toBe(1);
    expect((await counted('GET', `/pipeline-secrets/${id}`)).roundTrips).toBe(1);
    expect(await counted('PUT', `/pipeline-secrets/${id}`, { json: { value: 'w' } })).toMatchObject({ status: 204, roundTrips: 2 });
    expect(await counted('DELETE', `/pipeline-secrets/${id}`)).toMatchObject({ status: 204, roundTrips: 2 });
  });

  it('every other authenticated list and read is 1', async () => {
    for (const path of ['/user-info', '/workspaces', `/user/${me.id}/workspaces`, '/orgs', '/tokens', '/runs', '/relay-targets', '/audit'])
      expect(await counted('GET', path), path).toMatchObject({ status: 200, roundTrips: 1 });
  });

  it('a revoked token counts on the very next request (nothing is cached)', async () => {
    const other = await seedUser('revoked');
    expect((await counted('GET', '/credentials', { token: other.token })).status).toBe(200);
    const mine = await call('GET', '/tokens', { token: other.token });
    for (const t of mine.body.tokens) await admin('DELETE', `/tokens/${t.id}`);
    expect(await counted('GET', '/credentials', { token: other.token })).toMatchObject({ status: 401, roundTrips: 1 });
  });

  for (const n of [1, 20])
    it(`a launch of ${n} secret(s) is 3, and each completion 2 (POST /runs/{id}/complete, weblog, trace)`, async () => {
      const owner = await seedUser(`launch${n}`);
      await call('GET', '/user-info', { token: owner.token });
      const aws = await newAwsAccount();
      const credentialsId = await awsCredentials(owner, aws);
      await addSecrets(owner, n);
      const names = Array.from({ length: n }, (_, i) => `SECRET_${String(i).padStart(3, '0')}`);
      const launch = () => counted('POST', '/runs', { token: owner.token, json: { credentialsId, region: 'eu-west-1', secrets: names } });
      // The first launch learns the account (STS) and remembers it with the run: still 3.
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const launched = await launch();
        expect([launched.status, launched.roundTrips], JSON.stringify(launched.body)).toEqual([200, 3]);
        expect(launched.body.run.secrets.map((s: { state: string }) => s.state)).toEqual(names.map(() => 'created'));
        runs.push(launched.body);
      }
      const byHand = await counted('POST', `/runs/${runs[0].run.id}/complete`, { token: owner.token, json: {} });
      expect([byHand.status, byHand.roundTrips, byHand.body.run.cleanedAt !== null]).toEqual([200, 2, true]);
      const byWeblog = await counted('POST', pathOf(runs[1].completionUrl), { token: null, json: completedEvent });
      expect([byWeblog.status, byWeblog.roundTrips, byWeblog.body.secretsLeft]).toEqual([200, 2, 0]);
      const runToken = new URL(runs[2].completionUrl).searchParams.get('token')!;
      const trace = await worker.fetch(
        new Request(`${BASE}/trace/${runs[2].run.id}/complete`, { method: 'PUT', headers: { authorization: `Bearer ${runToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ workflow: { success: true }, metrics: [], instant: Date.now() }) }),
        { ...env, DB: (traceCounter = faultyD1(env.DB, Number.POSITIVE_INFINITY)).db },
        createExecutionContext(),
      );
      expect([trace.status, traceCounter.calls(), (await trace.json<{ secretsLeft: number }>()).secretsLeft]).toEqual([200, 2, 0]);
      // A repeated completion changes nothing and costs one round trip.
      expect(await counted('POST', pathOf(runs[1].completionUrl), { token: null, json: completedEvent })).toMatchObject({ status: 200, roundTrips: 1 });
    });
});

let traceCounter: ReturnType<typeof faultyD1>;
