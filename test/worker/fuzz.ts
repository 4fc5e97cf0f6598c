/**
 * Property-based fuzzing (fast-check, seeded and reproducible) of every request body and query parameter of every
 * documented route: never a 5xx, every refusal is JSON with a message (a 400 names the field or parameter), and a
 * refused request changes nothing in D1.
 *
 * Where it is cheapest: the requests go to the worker's fetch handler in this isolate (no hop through the loopback
 * binding), waiting for its waitUntil work, with a D1 binding that notes every statement the worker executes. D1 is
 * fingerprinted only after a request that executed a statement able to write; a request that only ran SELECTs cannot
 * have changed D1, and the fingerprint taken after the last writing request is still the state before it. The routes
 * are split over the shard files (fuzz-*.test.ts), each with its own D1 and world, so two cores can share them;
 * together they cover every documented route with the same seeded case counts.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, expect } from 'vitest';
import worker from '../../worker/src/index';
import { SHARDS } from './fuzz-shards';
import { clientRequest, type Reply, replyOf } from './helpers';
import { buildWorld, type Caller, documentedRoutes, personOf, ROUTES, tokenOf, type World } from './route-cases';

/** Fixed, so a failure reproduces; fast-check prints the counterexample and the path to replay it. */
export const SEED = 20261122;
/** Cases per route with a body (a quarter of that for query-only routes). */
export const RUNS_PER_ROUTE = 2000;

/** One statement that changes whenever any stored content does (every seal has a fresh IV). */
const FINGERPRINT = `SELECT
  (SELECT count(*) || ':' || coalesce(group_concat(id || name || secret_iv || public_keys || coalesce(description, '') || coalesce(base_url, '')), '') FROM credentials) || '|' ||
  (SELECT count(*) || ':' || coalesce(group_concat(id || name || value_iv), '') FROM pipeline_secrets) || '|' ||
  (SELECT count(*) || ':' || coalesce(group_concat(id || name || coalesce(expires_at, '')), '') FROM access_tokens) || '|' ||
  (SELECT count(*) || ':' || coalesce(group_concat(workspace_id || user_id || role), '') FROM memberships) || '|' ||
  (SELECT count(*) FROM users) || '|' || (SELECT count(*) FROM organizations) || '|' || (SELECT count(*) FROM workspaces) || '|' ||
  (SELECT count(*) || ':' || coalesce(group_concat(id || state || coalesce(completed_at, '') || coalesce(cleaned_at, '')), '') FROM runs) || '|' ||
  (SELECT count(*) || ':' || coalesce(group_concat(state), '') FROM run_secrets) || '|' ||
  (SELECT count(*) FROM audit_events) AS f`;
/** The same without the audit trail, for routes whose refusals are audited by design (RouteCase.auditsRefusals). */
const FINGERPRINT_BUT_AUDIT = FINGERPRINT.replace(" || '|' ||\n  (SELECT count(*) FROM audit_events) AS f", ' AS f');
const fingerprint = async (withAudit = true) => (await env.DB.prepare(withAudit ? FINGERPRINT : FINGERPRINT_BUT_AUDIT).first<{ f: string }>())!.f;

/** Could this statement change the database? Only a lone SELECT (or WITH … SELECT) naming no writing keyword cannot. */
export function mayWrite(sql: string): boolean {
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim();
  return !/^(select|with)\b/i.test(text) || /\b(insert|update|delete|replace|upsert|create|drop|alter|pragma|vacuum|attach|detach|reindex|analyze|savepoint|release|begin|commit|rollback)\b/i.test(text);
}

/**
 * A D1 binding that calls `onWrite(sql)` when a statement that may write is executed (run/all/first/raw, alone or in
 * a batch), and for any other use of the binding (exec, sessions, dumps), which it does not look into.
 */
export function watchedD1(db: D1Database, onWrite: (what: string) => void): D1Database {
  const sqlOf = new WeakMap<object, { target: D1PreparedStatement; sql: string }>();
  const wrap = (target: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy: D1PreparedStatement = new Proxy(target, {
      get(t, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(t.bind(...values), sql);
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw')
          return (...args: unknown[]) => {
            if (mayWrite(sql)) onWrite(sql);
            return (t[prop] as (...a: unknown[]) => unknown)(...args);
          };
        const value = Reflect.get(t, prop, t);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
    sqlOf.set(proxy, { target, sql });
    return proxy;
  };
  return new Proxy(db, {
    get(t, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(t.prepare(sql), sql);
      if (prop === 'batch')
        return (statements: D1PreparedStatement[]) =>
          t.batch(
            statements.map((s) => {
              const known = sqlOf.get(s);
              if (!known) onWrite('a statement not prepared through this binding');
              else if (mayWrite(known.sql)) onWrite(known.sql);
              return known?.target ?? s;
            }),
          );
      onWrite(`D1Database.${String(prop)}`);
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/** Calls the worker's fetch handler in this isolate, as helpers.call does through the loopback, and waits for its waitUntil work. */
export async function callInProcess(
  workerEnv: Cloudflare.Env,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; raw?: string },
): Promise<Reply> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(clientRequest(method, path, opts), workerEnv, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return replyOf(res, text);
}

function leaves(value: unknown, path: string[] = []): string[][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return path.length ? [path] : [];
}

function setAt(target: any, path: string[], value: unknown) {
  let at = target;
  for (const k of path.slice(0, -1)) {
    if (!at || typeof at !== 'object') return;
    at = at[k];
  }
  if (!at || typeof at !== 'object') return;
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
}

/** Bodies: any JSON, the valid body with some leaves changed, dropped or added to, or text that is not JSON at all. */
function bodyArb(valid: unknown) {
  const paths = leaves(valid);
  const mutated = paths.length
    ? fc
        .tuple(
          fc.array(fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined))), { minLength: 1, maxLength: 3 }),
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
        )
        .map(([changes, extra]) => {
          const copy = structuredClone(valid) as Record<string, unknown>;
          for (const [p, v] of changes) setAt(copy, p, v);
          return { json: Object.keys(extra).length ? { ...copy, ...extra } : copy };
        })
    : fc.constant({ json: valid });
  return fc.oneof(
    { weight: 3, arbitrary: mutated },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((raw) => ({ raw })) },
  );
}

const QUERY_KEYS = ['workspaceId', 'name', 'platformId', 'skipRegistryCheck', 'useExternalId', 'max', 'offset', 'limit', 'token'] as const;
const queryArb = fc.dictionary(
  fc.constantFrom(...QUERY_KEYS),
  fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^\d{1,22}$/), fc.constantFrom('', 'true', 'false', 'aws', 'gcp', '-1', '99999999999999999999')),
  { maxKeys: 3 },
);

const NAMES_THE_FIELD = /^(Field '[^']+'|Query parameter '[^']+'|Path parameter '[^']+'|The request body|'[^']+' has unknown field)/;

/** Every documented route with the cases it gets if it takes a body or a query (decided once its request is prepared). */
async function routesWithRuns() {
  return (await documentedRoutes()).map((r) => ({ ...r, numRuns: r.hasBody ? RUNS_PER_ROUTE : Math.ceil(RUNS_PER_ROUTE / 4) }));
}

/** The routes of shard `index`: routes dealt out in documented order to the shard with the fewest cases so far. */
export function shardOf<T extends { numRuns: number }>(routes: T[], index: number, shards = SHARDS): T[] {
  const load = Array.from({ length: shards }, () => 0);
  return routes.filter((r) => {
    const to = load.indexOf(Math.min(...load));
    load[to] = load[to]! + r.numRuns;
    return to === index;
  });
}

/** How long one shard may take. */
export const SHARD_TIMEOUT = 600_000;

/**
 * Shard `index` of SHARDS, called inside the shard file's describe (which `vitest list` reads without running it):
 * builds the world before the test and returns the test: never a 5xx, the field named in every 400, and nothing
 * changed by a refusal, for every case of every route of the shard.
 */
export function fuzzShard(index: number): () => Promise<void> {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld('FUZZCANARY');
  });

  return async () => {
    expect(expect.getState().currentTestName, 'the shard file names the seed it runs').toContain(`(seed ${SEED})`);
    let wrote: string[] = [];
    const workerEnv = { ...env, DB: watchedD1(env.DB, (sql) => wrote.push(sql)) };
    let cases = 0;
    let refused = 0;
    let fingerprinted = 0;
    let expected = 0;
    const perRoute: string[] = [];
    const mine = shardOf(await routesWithRuns(), index);
    expect(mine.length).toBeGreaterThan(0);
    for (const { key, method, hasBody, numRuns } of mine) {
      const route = ROUTES[key]!;
      const who: Caller = route.access === 'admin' ? 'admin-token' : route.access === 'weblog' ? 'anonymous' : 'owner';
      const prepared = await route.prepare(w, w.org, personOf(w, who));
      const url = new URL(prepared.path, 'https://x');
      const hasQuery = [...url.searchParams.keys()].length > 0 || ['get', 'post'].includes(key.split(' ')[0]!);
      if (!hasBody && !hasQuery) continue;
      expected += numRuns;
      const startCases = cases;
      const withAudit = !route.auditsRefusals;
      // D1 as it is before this route's first case; kept current after every request that may have written.
      let known = await fingerprint(withAudit);
      const arb = fc.tuple(hasBody ? bodyArb(prepared.body ?? {}) : fc.constant(null), queryArb);
      await fc.assert(
        fc.asyncProperty(arb, async ([body, query]) => {
          const u = new URL(url);
          for (const [k, v] of Object.entries(query)) if (!(route.access === 'weblog' && k === 'token')) u.searchParams.set(k, v);
          wrote = [];
          const res = await callInProcess(workerEnv, method, u.pathname + u.search, { token: prepared.token ?? tokenOf(w, who), ...(body ?? {}) });
          cases++;
          expect(res.status, `${key} ${u.search} ${JSON.stringify(body)?.slice(0, 300)}: ${res.text}`).toBeLessThan(500);
          const before = known;
          if (wrote.length) {
            known = await fingerprint(withAudit);
            fingerprinted++;
          }
          if (res.status >= 400) {
            refused++;
            expect(typeof res.body?.message, `${key}: ${res.text}`).toBe('string');
            if (res.status === 400) expect(res.body.message, key).toMatch(NAMES_THE_FIELD);
            expect(known, `${key}: a refused request changed D1 (${res.status} ${res.body.message}; it ran ${wrote.join(' / ')})`).toBe(before);
          }
        }),
        { seed: SEED, numRuns, endOnFailure: true },
      );
      expect(cases - startCases, key).toBe(numRuns);
      perRoute.push(`${key}=${cases - startCases}`);
    }
    expect(cases).toBe(expected);
    expect(refused / cases).toBeGreaterThan(0.5);
    console.info(`fuzz shard ${index + 1}/${SHARDS}: ${cases} requests, ${refused} refused, D1 fingerprinted after ${fingerprinted}, seed ${SEED}: ${perRoute.join(' ')}`);
  };
}
