/**
 * Bench only: the real Latchkey app with its D1 binding wrapped to count calls (returned in x-d1-calls), beside
 * bare D1 routes doing a comparable insert and a 100-row select on the same runtime and database.
 */
import app from '../../worker/src/index';
import type { Env } from '../../worker/src/env';

function counting(db: D1Database, count: (what: string) => void): D1Database {
  const stmt = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(t, p) {
        if (p === 'bind') return (...a: unknown[]) => stmt(t.bind(...a));
        if (p === 'run' || p === 'first' || p === 'all' || p === 'raw') count(String(p));
        const v = Reflect.get(t, p, t);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  const raw = new WeakMap<object, D1PreparedStatement>();
  return new Proxy(db, {
    get(t, p) {
      if (p === 'prepare')
        return (q: string) => {
          const real = t.prepare(q);
          const wrapped = stmt(real);
          raw.set(wrapped, real);
          return wrapped;
        };
      if (p === 'batch')
        return (list: D1PreparedStatement[]) => {
          count('batch');
          return t.batch(list.map((s) => raw.get(s) ?? s));
        };
      const v = Reflect.get(t, p, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/bare/setup') {
      await env.DB.prepare('CREATE TABLE IF NOT EXISTS bare (id TEXT PRIMARY KEY, workspace_id TEXT, name TEXT, body TEXT, created_at TEXT)').run();
      return new Response('ok');
    }
    if (pathname === '/bare/insert') {
      await env.DB.prepare('INSERT INTO bare VALUES (?, ?, ?, ?, ?)').bind(crypto.randomUUID(), '1', `n-${Date.now()}`, 'x'.repeat(300), new Date().toISOString()).run();
      return Response.json({ ok: true });
    }
    if (pathname === '/bare/select') {
      const { results } = await env.DB.prepare('SELECT * FROM bare ORDER BY name LIMIT 100').all();
      return Response.json({ rows: results });
    }
    const calls: string[] = [];
    const res = await app.fetch(request, { ...env, DB: counting(env.DB, (what) => calls.push(what)) }, ctx);
    const out = new Response(res.body, res);
    out.headers.set('x-d1-calls', String(calls.length));
    out.headers.set('x-d1-log', calls.join(','));
    return out;
  },
};
