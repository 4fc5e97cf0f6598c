/**
 * Property-based fuzzing (fast-check, seeded and reproducible) of every request body and query parameter of every
 * documented route: never a 5xx, every refusal is JSON with a message (a 400 names the field or parameter), and a
 * refused request changes nothing in D1.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from './helpers';
import { buildWorld, type Caller, documentedRoutes, personOf, ROUTES, tokenOf, type World } from './route-cases';

/** Fixed, so a failure reproduces; fast-check prints the counterexample and the path to replay it. */
const SEED = 20261122;
/** Cases per route with a body (a quarter of that for query-only routes). */
const RUNS_PER_ROUTE = 2000;

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

const QUERY_KEYS = ['workspaceId', 'name', 'platformId', 'skipRegistryCheck', 'limit', 'token'] as const;
const queryArb = fc.dictionary(
  fc.constantFrom(...QUERY_KEYS),
  fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^\d{1,22}$/), fc.constantFrom('', 'true', 'false', 'aws', 'gcp', '-1', '99999999999999999999')),
  { maxKeys: 3 },
);

const NAMES_THE_FIELD = /^(Field '[^']+'|Query parameter '[^']+'|Path parameter '[^']+'|The request body|'[^']+' has unknown field)/;

describe('fuzzing every request body and query parameter', () => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld('FUZZCANARY');
  });

  it(`never answers 5xx, names the field of every 400, and changes nothing when it refuses (seed ${SEED})`, async () => {
    let cases = 0;
    let refused = 0;
    const perRoute: string[] = [];
    for (const { key, method, hasBody } of await documentedRoutes()) {
      const route = ROUTES[key]!;
      const who: Caller = route.access === 'admin' ? 'admin-token' : route.access === 'weblog' ? 'anonymous' : 'owner';
      const prepared = await route.prepare(w, w.org, personOf(w, who));
      const url = new URL(prepared.path, 'https://x');
      const hasQuery = [...url.searchParams.keys()].length > 0 || ['get', 'post'].includes(key.split(' ')[0]!);
      if (!hasBody && !hasQuery) continue;
      const startCases = cases;
      const arb = fc.tuple(hasBody ? bodyArb(prepared.body ?? {}) : fc.constant(null), queryArb);
      await fc.assert(
        fc.asyncProperty(arb, async ([body, query]) => {
          const u = new URL(url);
          for (const [k, v] of Object.entries(query)) if (!(route.access === 'weblog' && k === 'token')) u.searchParams.set(k, v);
          const before = await fingerprint(!route.auditsRefusals);
          const res = await call(method, u.pathname + u.search, { token: prepared.token ?? tokenOf(w, who), ...(body ?? {}) });
          cases++;
          expect(res.status, `${key} ${u.search} ${JSON.stringify(body)?.slice(0, 300)}: ${res.text}`).toBeLessThan(500);
          if (res.status >= 400) {
            refused++;
            expect(typeof res.body?.message, `${key}: ${res.text}`).toBe('string');
            if (res.status === 400) expect(res.body.message, key).toMatch(NAMES_THE_FIELD);
            expect(await fingerprint(!route.auditsRefusals), `${key}: a refused request changed D1 (${res.status} ${res.body.message})`).toBe(before);
          }
        }),
        { seed: SEED, numRuns: hasBody ? RUNS_PER_ROUTE : Math.ceil(RUNS_PER_ROUTE / 4), endOnFailure: true },
      );
      perRoute.push(`${key}=${cases - startCases}`);
    }
    expect(cases).toBeGreaterThan(RUNS_PER_ROUTE * 10);
    expect(refused / cases).toBeGreaterThan(0.5);
    console.info(`fuzz: ${cases} requests, ${refused} refused, seed ${SEED}: ${perRoute.join(' ')}`);
  }, 600_000);
});
