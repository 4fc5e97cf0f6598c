/**
 * Suite-wide checks generated from the route table (route-cases.ts), so a route added later without an entry fails:
 * the authorization matrix (every route × every role, an outsider, the admin token and no token; personal and other
 * workspaces), a canary planted in every secret field and secret that never appears in any body, header, log line,
 * audit event or table in clear, and malformed JSON and wrong types answered with a 400 naming the field.
 */
import { env, exports } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BASE, call, dumpTables } from './helpers';
import { CALLERS, type Caller, documentedRoutes, expectedStatus, personOf, ROUTES, tokenOf, type World, buildWorld } from './route-cases';

const CANARY = 'CNRY7f3a9c';

/** A request exactly as given: no JSON body or content type added (helpers.call adds them). */
async function exportsFetch(method: string, path: string, token: string | undefined, type: string | undefined, body: string | undefined) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (type) headers['content-type'] = type;
  return exports.default.fetch(new Request(BASE + path, { method, headers, body }));
}

describe('every documented route', { timeout: 180_000 }, () => {
  const logged: string[] = [];
  beforeAll(() => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const)
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  });
  afterAll(() => vi.restoreAllMocks());

  it('has a case here, so no route goes untested', async () => {
    const documented = (await documentedRoutes()).map((r) => r.key).sort();
    expect(documented).toEqual(Object.keys(ROUTES).sort());
  });

  it("sets Hono's secureHeaders() headers on every answer, less Cross-Origin-Resource-Policy, and no-store", async () => {
    const { Hono } = await import('hono');
    const { secureHeaders } = await import('hono/secure-headers');
    const reference = new Hono().use(secureHeaders({ crossOriginResourcePolicy: false })).get('/', (c) => c.text('ok'));
    const expected = [...(await reference.request('/')).headers].filter(([name]) => name !== 'content-type');
    expect(expected.length).toBeGreaterThan(5);
    for (const [method, path] of [['GET', '/service-info'], ['GET', '/credentials'], ['GET', '/nowhere'], ['POST', '/credentials']] as const) {
      const res = await exportsFetch(method, path, undefined, undefined, undefined);
      const headers = Object.fromEntries(res.headers);
      for (const [name, value] of expected) expect(headers[name], `${method} ${path} ${name}`).toBe(value);
      expect(headers['cross-origin-resource-policy']).toBeUndefined();
      expect(headers['cache-control']).toBe('no-store');
    }
  });

  it('answers a route with one slash more as no route (404), after the checks of the prefix it is under', async () => {
    const w = await buildWorld(CANARY);
    for (const key of Object.keys(ROUTES)) {
      const [method, template] = key.split(' ') as [string, string];
      const path = `${template.replace(/\{\w+\}/g, '1')}/`;
      const token = ROUTES[key]!.access === 'admin' ? tokenOf(w, 'admin-token') : w.owner.token;
      const res = await call(method.toUpperCase(), path, { token, json: method === 'get' || method === 'delete' ? undefined : {} });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.message, `${method} ${path}`).toBe(`No route for ${method.toUpperCase()} ${path}; see /openapi.json`);
    }
    expect((await call('GET', '/credentials/')).status).toBe(401);
    expect((await call('GET', '/admin/users/')).status).toBe(401);
    expect((await call('GET', '/user-info/')).status).toBe(404);
  });

  it('answers every caller exactly as its role allows, and never returns, logs or audits a stored secret', async () => {
    const w = await buildWorld(CANARY);
    const matrix: string[] = [];
    for (const { key, method } of await documentedRoutes()) {
      const route = ROUTES[key]!;
      const callers: Caller[] = route.access === 'weblog' ? ['anonymous', 'view', 'outsider'] : CALLERS;
      for (const who of callers) {
        const { path, body, token } = await route.prepare(w, w.org, personOf(w, who));
        const res = await call(method, path, { token: token ?? tokenOf(w, who), json: body });
        matrix.push(`${key} ${who} ${res.status}`);
        expect(res.status, `${key} as ${who}: ${res.text}`).toBe(expectedStatus(route, who));
        if (res.status >= 400) expect(res.body?.message, `${key} as ${who}`).toEqual(expect.any(String));
        // The HPC store download is the one answer that carries values, by design (owner-allowed, single-use, audited).
        if (!route.returnsValues) expect(res.text, `${key} as ${who}`).not.toContain(CANARY);
        expect(JSON.stringify([...res.headers]), `${key} as ${who}`).not.toContain(CANARY);
        expect(res.headers.get('x-content-type-options'), `${key} as ${who}`).toBe('nosniff');
        expect(res.headers.get('cache-control'), `${key} as ${who}`).toBe('no-store');
      }
    }
    expect(matrix.length).toBeGreaterThan(300);
    const audit = JSON.stringify(await env.DB.prepare('SELECT * FROM audit_events').all());
    expect(audit).toContain('credentials.create');
    expect(audit).not.toContain(CANARY);
    expect(JSON.stringify(await dumpTables()), 'a table holds the canary in clear').not.toContain(CANARY);
    expect(logged.join('\n')).not.toContain(CANARY);
  }, 60_000); // every route × every caller: longer than the default 5 s on a shared machine

  it('keeps personal workspaces to their owner, and other organizations’ records out of reach (404, not 403)', async () => {
    const w = await buildWorld(CANARY);
    for (const [key, route] of Object.entries(ROUTES)) {
      if (!['read', 'manage', 'launch', 'maintain', 'own'].includes(route.access)) continue;
      const method = key.split(' ')[0]!.toUpperCase();
      const own = await route.prepare(w, w.personal, w.owner);
      expect((await call(method, own.path, { token: w.owner.token, json: own.body })).status, `${key} in own personal workspace`).toBe(route.ok);
      for (const who of ['admin', 'view'] as const) {
        const theirs = await route.prepare(w, w.personal, w.members[who]);
        const res = await call(method, theirs.path, { token: w.members[who].token, json: theirs.body });
        expect(res.status, `${key} by ${who} in the owner's personal workspace`).toBe(404);
      }
    }
    // An outsider naming our records from their own workspace finds nothing, exactly as for ids that never existed.
    const q = `?workspaceId=${w.outsiderWorkspaceId}`;
    const t = w.outsider.token;
    const run = (await call('POST', `/runs?workspaceId=${w.org.workspaceId}`, { token: w.owner.token, json: { credentialsId: w.org.awsCredId, region: 'eu-west-1' } })).body.run;
    for (const [method, path] of [
      ['GET', `/credentials/${w.org.credId}${q}`],
      ['PUT', `/credentials/${w.org.credId}${q}`],
      ['DELETE', `/credentials/${w.org.credId}${q}`],
      ['POST', `/credentials/${w.org.credId}/check${q}`],
      ['GET', `/pipeline-secrets/${w.org.secretId}${q}`],
      ['PUT', `/pipeline-secrets/${w.org.secretId}${q}`],
      ['DELETE', `/pipeline-secrets/${w.org.secretId}${q}`],
      ['GET', `/runs/${run.id}${q}`],
      ['POST', `/runs/${run.id}/complete${q}`],
    ] as const) {
      const json = method === 'PUT' ? (path.includes('pipeline') ? { value: 'x' } : { credentials: { name: 'aws-main', provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'x' } } }) : method === 'POST' ? {} : undefined;
      const res = await call(method, path, { token: t, json });
      expect(res.status, `${method} ${path}`).toBe(404);
      const never = await call(method, path.replace(/\/(credentials|pipeline-secrets|runs)\/[^/?]+/, '/$1/1234567890123456'), { token: t, json });
      expect(res.body.message.replace(/'[^']+'/, "'…'"), `${method} ${path}`).toBe(never.body.message.replace(/'[^']+'/, "'…'"));
    }
    await call('POST', `/pipeline-secrets${q}`, { token: t, json: { name: 'THEIRS', value: 'v' } });
    const launch = await call('POST', `/runs${q}`, { token: t, json: { credentialsId: w.org.awsCredId, region: 'eu-west-1' } });
    expect(launch.status).toBe(400);
    expect(launch.body.message).toBe(`Field 'credentialsId' names no credentials in this workspace ('${w.org.awsCredId}')`);
    const lists = await Promise.all(['/credentials', '/pipeline-secrets', '/runs'].map((p) => call('GET', p + q, { token: t })));
    expect(lists.map((l) => l.status)).toEqual([200, 200, 200]);
    expect(lists.map((l) => l.text).join('')).not.toMatch(new RegExp(`${w.org.credId}|${w.org.secretId}|${run.id}`));
    await call('POST', `/runs/${run.id}/complete?workspaceId=${w.org.workspaceId}`, { token: w.owner.token, json: {} });
  });

  it('refuses every state change not sent as JSON with a 415, changing nothing (no cross-site form can reach one)', async () => {
    const w = await buildWorld(CANARY);
    let checked = 0;
    for (const { key, method } of await documentedRoutes()) {
      if (method === 'GET') continue;
      const route = ROUTES[key]!;
      const who: Caller = route.access === 'admin' ? 'admin-token' : route.access === 'weblog' ? 'anonymous' : 'owner';
      const { path, body, token } = await route.prepare(w, w.org, personOf(w, who));
      const before = JSON.stringify(await dumpTables());
      const form = new URLSearchParams({ json: JSON.stringify(body ?? {}) }).toString();
      const attempts: Array<[string, string | undefined, string | undefined]> = [
        ['a form post', 'application/x-www-form-urlencoded', form],
        ['a text/plain post', 'text/plain', JSON.stringify(body ?? {})],
        ['a multipart post', 'multipart/form-data; boundary=x', '--x--'],
      ];
      if (method !== 'DELETE') attempts.push(['no Content-Type', undefined, JSON.stringify(body ?? {})]);
      for (const [what, type, raw] of attempts) {
        const res = await exportsFetch(method, path, token ?? tokenOf(w, who), type, raw);
        expect(res.status, `${key} as ${what}: ${await res.clone().text()}`).toBe(415);
        expect((await res.json() as { message: string }).message, key).toMatch(/accepts only Content-Type: application\/json/);
        checked++;
      }
      expect(JSON.stringify(await dumpTables()), `${key}: a refused request changed D1`).toBe(before);
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('answers malformed JSON and wrong types on every POST/PUT with a 400 naming the field, changing nothing', async () => {
    const w = await buildWorld(CANARY);
    const wrongType = (v: unknown): unknown => (typeof v === 'string' ? 12345 : typeof v === 'number' ? 'twelve' : typeof v === 'boolean' ? 'yes' : 'not-an-object');
    function leaves(value: unknown, path: string[] = []): string[][] {
      if (value && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
      return [path];
    }
    function withLeaf(body: unknown, path: string[], replacement: unknown): unknown {
      const copy = structuredClone(body) as Record<string, any>;
      let at = copy;
      for (const k of path.slice(0, -1)) at = at[k];
      at[path.at(-1)!] = replacement;
      return copy;
    }
    let checked = 0;
    for (const { key, method, hasBody } of await documentedRoutes()) {
      if (!hasBody) continue;
      const route = ROUTES[key]!;
      const who: Caller = route.access === 'admin' ? 'admin-token' : route.access === 'weblog' ? 'anonymous' : 'owner';
      const { path, body, token: runToken } = await route.prepare(w, w.org, personOf(w, who));
      const token = runToken ?? tokenOf(w, who);
      const before = JSON.stringify(await dumpTables());
      for (const raw of ['{bad', '', '[]', 'null', '"text"', '{"a":1']) {
        const res = await call(method, path, { token, raw });
        expect(res.status, `${key} with ${JSON.stringify(raw)}: ${res.text}`).toBe(400);
        expect(res.body?.message, key).toMatch(/request body|Field '/);
      }
      for (const leaf of leaves(body)) {
        if (leaf.length === 0) continue;
        const field = leaf.join('.');
        const res = await call(method, path, { token, json: withLeaf(body, leaf, wrongType(leaf.reduce((o: any, k) => o[k], body))) });
        // A wrong-typed provider picks no schema at all, so it is named as the provider field.
        expect(res.status, `${key} ${field}: ${res.text}`).toBe(400);
        expect(res.body.message, `${key} ${field}`).toContain(field === 'credentials.provider' ? 'credentials.provider' : `'${field}'`);
        checked++;
      }
      expect(JSON.stringify(await dumpTables()), `${key}: a rejected request changed D1`).toBe(before);
      if (!route.emptyBodyIsValid) {
        const missing = await call(method, path, { token, json: {} });
        expect(missing.status, `${key} with {}`).toBe(400);
        expect(missing.body.message).toMatch(/^Field '[\w.]+' is required/);
        expect(JSON.stringify(await dumpTables()), `${key}: a rejected request changed D1`).toBe(before);
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
