/**
 * Bench only: the real Latchkey app with its D1 binding wrapped to count calls (returned in x-d1-calls) and the time
 * it spent on the request inside workerd (x-worker-ms, also on the bare relay), beside
 * bare D1 routes doing a comparable insert and a 100-row select on the same runtime and database, and a bare relay:
 * the AWS calls of a launch and nothing else (no D1, no vault, no checks), 6 at a time.
 */
import { AwsClient } from 'aws4fetch';
import { faultyD1 } from '../../test/worker/faulty-d1';
import app from '../../worker/src/index';
import type { Env } from '../../worker/src/env';
import { relaySettings, sweepRuns } from '../../worker/src/runs';
import { keyringFor } from '../../worker/src/vault';

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/bare/setup') {
      await env.DB.prepare('CREATE TABLE IF NOT EXISTS bare (id TEXT PRIMARY KEY, workspace_id TEXT, name TEXT, body TEXT, created_at TEXT)').run();
      return new Response('ok');
    }
    if (pathname === '/bare/insert') {
      // The posted body when there is one (the create figure sends the app's request here too), else 300 bytes.
      const posted = (await request.text()) || 'x'.repeat(300);
      await env.DB.prepare('INSERT INTO bare VALUES (?, ?, ?, ?, ?)').bind(crypto.randomUUID(), '1', `n-${Date.now()}`, posted, new Date().toISOString()).run();
      return Response.json({ ok: true });
    }
    if (pathname === '/bare/read-then-insert') {
      // The floor of any checked write: one round trip to read who is asking, one to write (here the same bare row).
      await env.DB.prepare('SELECT * FROM bare ORDER BY name LIMIT 1').all();
      await env.DB.prepare('INSERT INTO bare VALUES (?, ?, ?, ?, ?)').bind(crypto.randomUUID(), '1', `n-${Date.now()}`, 'x'.repeat(300), new Date().toISOString()).run();
      return Response.json({ ok: true });
    }
    if (pathname === '/bare/select') {
      const { results } = await env.DB.prepare('SELECT * FROM bare ORDER BY name LIMIT 100').all();
      return Response.json({ rows: results });
    }
    if (pathname === '/bare/relay' && request.method === 'POST') {
      // N CreateSecret calls signed with aws4fetch, at most 6 open at once (Workers' limit, as the relay keeps).
      const { n, accessKeyId, secretAccessKey, region, prefix } = (await request.json()) as { n: number; accessKeyId: string; secretAccessKey: string; region: string; prefix: string };
      const aws = new AwsClient({ accessKeyId, secretAccessKey, region, service: 'secretsmanager' });
      let next = 0;
      const one = async (i: number) => {
        const res = await aws.fetch(`${env.AWS_ENDPOINT_URL}/`, {
          method: 'POST',
          headers: { 'x-amz-target': 'secretsmanager.CreateSecret', 'content-type': 'application/x-amz-json-1.1' },
          body: JSON.stringify({ Name: `${prefix}/S${i}`, SecretString: `value-${i}-${'x'.repeat(32)}`, ClientRequestToken: crypto.randomUUID() }),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`CreateSecret: ${res.status} ${text}`);
      };
      const t0 = Date.now();
      await Promise.all(Array.from({ length: Math.min(6, n) }, async () => {
        while (next < n) await one(next++);
      }));
      return Response.json({ created: n }, { headers: { 'x-worker-ms': String(Date.now() - t0) } });
    }
    if (pathname === '/bench/end-runs' && request.method === 'POST') {
      // Every launched run ends without its secrets being deleted, as when its completion never arrived.
      const { meta } = await env.DB.prepare("UPDATE runs SET state = 'succeeded', completed_at = ? WHERE state = 'launched'").bind(new Date().toISOString()).run();
      return Response.json({ ended: meta.changes });
    }
    if (pathname === '/bench/sweep' && request.method === 'POST') {
      // One scheduled invocation's work, exactly as scheduled() in worker/src/index.ts does it, timed.
      const t0 = Date.now();
      const report = await sweepRuns(env.DB, await keyringFor(env.VAULT_KEYS), relaySettings(env));
      return Response.json({ ...report, ms: Date.now() - t0, maxSubrequests: relaySettings(env).ceiling });
    }
    // A wrapper that never fails, used for its count of D1 calls.
    const counted = faultyD1(env.DB, Number.POSITIVE_INFINITY);
    // The time the request spends in this worker (x-worker-ms), without the HTTP hop between the bench and workerd.
    // workerd's clock moves on I/O only, which is where these requests spend their time.
    const t0 = Date.now();
    const res = await app.fetch(request, { ...env, DB: counted.db }, ctx);
    const workerMs = String(Date.now() - t0);
    // The app's answers are built here, so their headers can be set in place; re-wrapping would put another stream
    // between the app's body and the client, a cost the bare routes do not pay.
    const marked = (r: Response) => {
      r.headers.set('x-d1-calls', String(counted.calls()));
      r.headers.set('x-worker-ms', workerMs);
      return r;
    };
    try {
      return marked(res);
    } catch {
      return marked(new Response(res.body, res)); // an answer whose headers are immutable
    }
  },
};
