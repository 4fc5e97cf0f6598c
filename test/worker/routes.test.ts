/**
 * Suite-wide checks driven by /openapi.json, so a route added later without an entry here fails:
 * a canary planted in every provider's secret fields and every secret never appears in any response body, header,
 * log line or audit event; and every POST/PUT answers malformed JSON and wrong types with a 400 naming the field,
 * leaving D1 unchanged.
 */
import { QUAY_ROBOT } from '../fixtures/registry-logins';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDER_IDS } from '../../shared/providers';
import { sampleCredentials } from '../fixtures/credentials';
import { awsCredentials, newAwsAccount, pathOf } from './aws';
import { admin, call, credentialsPath, dumpTables, type Person, seedOrgWorkspace, seedUser, ws } from './helpers';
import { env } from 'cloudflare:workers';
import { ADMIN_TOKEN_TEST } from './keys';

const CANARY = 'CNRY7f3a9c';

interface World {
  owner: Person;
  viewer: Person;
  workspaceId: string;
  orgId: string;
  credId: string;
  secretId: string;
  awsCredId: string;
}

/** 'weblog' calls with no access token: the completion URL's token is its only authority. */
type Caller = 'owner' | 'viewer' | 'admin' | 'weblog';
interface RouteCase {
  callers: Caller[];
  /** The body has no required field, so {} is a valid request. */
  emptyBodyIsValid?: boolean;
  /** Builds the request; may create what it needs (a record to delete). */
  prepare(w: World): Promise<{ path: string; body?: unknown }>;
}

let unique = 0;
const n = () => `${++unique}`;

const ROUTES: Record<string, RouteCase> = {
  'get /service-info': { callers: ['owner'], prepare: async () => ({ path: '/service-info' }) },
  'get /credentials': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/credentials${ws(w.workspaceId)}` }) },
  'get /credentials/validate': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/credentials/validate?name=free-${n()}&workspaceId=${w.workspaceId}` }) },
  'post /credentials': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/credentials${ws(w.workspaceId)}`, body: sampleCredentials('aws', CANARY, `aws-${n()}`) }) },
  'get /credentials/{credentialsId}': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/credentials/${w.credId}${ws(w.workspaceId)}` }) },
  'put /credentials/{credentialsId}': {
    callers: ['owner', 'viewer'],
    prepare: async (w) => ({ path: `/credentials/${w.credId}${ws(w.workspaceId)}`, body: sampleCredentials('aws', CANARY, 'aws-main') }),
  },
  'delete /credentials/{credentialsId}': {
    callers: ['owner', 'viewer'],
    prepare: async (w) => {
      const made = await call('POST', `/credentials${ws(w.workspaceId)}`, { token: w.owner.token, json: sampleCredentials('ssh', CANARY, `gone-${n()}`) });
      return { path: `/credentials/${made.body.credentialsId}${ws(w.workspaceId)}` };
    },
  },
  'get /pipeline-secrets': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/pipeline-secrets${ws(w.workspaceId)}` }) },
  'get /pipeline-secrets/validate': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/pipeline-secrets/validate?name=FREE_${n()}&workspaceId=${w.workspaceId}` }) },
  'post /pipeline-secrets': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/pipeline-secrets${ws(w.workspaceId)}`, body: { name: `S_${n()}`, value: CANARY } }) },
  'get /pipeline-secrets/{secretId}': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/pipeline-secrets/${w.secretId}${ws(w.workspaceId)}` }) },
  'put /pipeline-secrets/{secretId}': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/pipeline-secrets/${w.secretId}${ws(w.workspaceId)}`, body: { value: `${CANARY}-2` } }) },
  'delete /pipeline-secrets/{secretId}': {
    callers: ['owner', 'viewer'],
    prepare: async (w) => {
      const made = await call('POST', `/pipeline-secrets${ws(w.workspaceId)}`, { token: w.owner.token, json: { name: `GONE_${n()}`, value: CANARY } });
      return { path: `/pipeline-secrets/${made.body.secretId}${ws(w.workspaceId)}` };
    },
  },
  'get /user-info': { callers: ['owner', 'viewer'], prepare: async () => ({ path: '/user-info' }) },
  'get /workspaces': { callers: ['owner', 'viewer'], prepare: async () => ({ path: '/workspaces' }) },
  'get /user/{userId}/workspaces': { callers: ['owner'], prepare: async (w) => ({ path: `/user/${w.owner.id}/workspaces` }) },
  'get /tokens': { callers: ['owner', 'viewer'], prepare: async () => ({ path: '/tokens' }) },
  'post /tokens': { callers: ['owner'], prepare: async () => ({ path: '/tokens', body: { name: `t-${n()}`, expiresInDays: 7 } }) },
  'delete /tokens/{tokenId}': {
    callers: ['owner'],
    prepare: async (w) => {
      const made = await call('POST', '/tokens', { token: w.owner.token, json: { name: `del-${n()}` } });
      return { path: `/tokens/${made.body.token.id}` };
    },
  },
  'get /audit': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/audit${ws(w.workspaceId)}` }) },
  'get /admin/users': { callers: ['admin'], prepare: async () => ({ path: '/admin/users' }) },
  'post /admin/users': { callers: ['admin'], prepare: async () => ({ path: '/admin/users', body: { userName: `u${n()}x`, email: `u${n()}@example.com` } }) },
  'post /admin/users/{userId}/tokens': { callers: ['admin'], prepare: async (w) => ({ path: `/admin/users/${w.viewer.id}/tokens`, body: { name: `adm-${n()}` } }) },
  'delete /admin/tokens/{tokenId}': {
    callers: ['admin'],
    prepare: async (w) => {
      const made = await admin('POST', `/users/${w.viewer.id}/tokens`, { name: `adm-del-${n()}` });
      return { path: `/admin/tokens/${made.body.token.id}` };
    },
  },
  'post /admin/organizations': { callers: ['admin'], prepare: async () => ({ path: '/admin/organizations', body: { name: `org-${n()}` } }) },
  'post /admin/organizations/{orgId}/workspaces': { callers: ['admin'], prepare: async (w) => ({ path: `/admin/organizations/${w.orgId}/workspaces`, body: { name: `ws-${n()}` } }) },
  'put /admin/workspaces/{workspaceId}/members/{userId}': {
    callers: ['admin'],
    prepare: async (w) => ({ path: `/admin/workspaces/${w.workspaceId}/members/${w.viewer.id}`, body: { role: 'view' } }),
  },
  'delete /admin/workspaces/{workspaceId}/members/{userId}': {
    callers: ['admin'],
    prepare: async (w) => {
      const extra = await seedUser('leaving');
      await admin('PUT', `/workspaces/${w.workspaceId}/members/${extra.id}`, { role: 'launch' });
      return { path: `/admin/workspaces/${w.workspaceId}/members/${extra.id}` };
    },
  },
  'post /admin/vault/rotate': { callers: ['admin'], prepare: async () => ({ path: '/admin/vault/rotate' }) },
  'post /credentials/{credentialsId}/check': {
    callers: ['owner', 'viewer'],
    prepare: async (w) => {
      const made = await call('POST', `/credentials${ws(w.workspaceId)}`, {
        token: w.owner.token,
        json: { credentials: { name: `reg-${n()}`, provider: 'container-reg', keys: { userName: 'acme+ci', password: QUAY_ROBOT.token, registry: env.TEST_REGISTRY_BASIC } } },
      });
      expect(made.status, made.text).toBe(200);
      return { path: `/credentials/${made.body.credentialsId}/check${ws(w.workspaceId)}` };
    },
  },
  'get /runs': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/runs${ws(w.workspaceId)}` }) },
  'post /runs': {
    callers: ['owner', 'viewer'],
    prepare: async (w) => ({ path: `/runs${ws(w.workspaceId)}`, body: { credentialsId: w.awsCredId, region: 'eu-west-1', runName: `r${n()}`, ttlHours: 2 } }),
  },
  'get /runs/{runId}': { callers: ['owner', 'viewer'], prepare: async (w) => ({ path: `/runs/${(await launched(w)).run.id}${ws(w.workspaceId)}` }) },
  'post /runs/{runId}/complete': {
    callers: ['owner', 'viewer'],
    emptyBodyIsValid: true,
    prepare: async (w) => ({ path: `/runs/${(await launched(w)).run.id}/complete${ws(w.workspaceId)}`, body: { success: true } }),
  },
  'post /weblog/{runId}': {
    callers: ['weblog'],
    prepare: async (w) => ({ path: pathOf((await launched(w)).completionUrl), body: { event: 'started', runName: 'serene_babbage', runId: crypto.randomUUID(), utcTime: '2026-11-22T10:00:00Z' } }),
  },
};

async function launched(w: World) {
  const res = await call('POST', `/runs${ws(w.workspaceId)}`, { token: w.owner.token, json: { credentialsId: w.awsCredId, region: 'eu-west-1' } });
  expect(res.status, res.text).toBe(200);
  return res.body as { run: { id: string }; completionUrl: string };
}

const tokenOf = (w: World, who: Caller) => (who === 'admin' ? ADMIN_TOKEN_TEST : who === 'weblog' ? undefined : w[who].token);

async function world(): Promise<World> {
  const owner = await seedUser('owner');
  const viewer = await seedUser('viewer');
  const { workspaceId, orgId } = await seedOrgWorkspace([[owner, 'owner'], [viewer, 'view']]);
  for (const p of PROVIDER_IDS) {
    for (const [where, who] of [[workspaceId, owner], [undefined, owner], [undefined, viewer]] as const) {
      const res = await call('POST', credentialsPath(where, p), { token: who.token, json: sampleCredentials(p, CANARY) });
      expect(res.status, res.text).toBe(200);
    }
  }
  const credId = (await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: sampleCredentials('aws', CANARY, 'aws-main') })).body.credentialsId;
  const secretId = (await call('POST', `/pipeline-secrets${ws(workspaceId)}`, { token: owner.token, json: { name: 'MAIN', value: CANARY } })).body.secretId;
  await call('POST', '/pipeline-secrets', { token: owner.token, json: { name: 'MAIN', value: `${CANARY}-user` } });
  const awsCredId = await awsCredentials(owner, await newAwsAccount(), workspaceId);
  return { owner, viewer, workspaceId, orgId, credId, secretId, awsCredId };
}

async function documentedRoutes(): Promise<Array<{ key: string; method: string; hasBody: boolean }>> {
  const doc = (await call('GET', '/openapi.json')).body;
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method} ${path}`, method: method.toUpperCase(), hasBody: Boolean(op.requestBody) })),
  );
}

describe('every documented route', () => {
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

  it('never returns, logs or audits a stored secret, whoever calls', async () => {
    const w = await world();
    const statuses: Record<string, number[]> = {};
    for (const { key, method } of await documentedRoutes()) {
      for (const who of ROUTES[key]!.callers) {
        const { path, body } = await ROUTES[key]!.prepare(w);
        const res = await call(method, path, { token: tokenOf(w, who), json: body });
        (statuses[key] ??= []).push(res.status);
        expect(res.status, `${key} as ${who}: ${res.text}`).toBeLessThan(500);
        expect(res.text, `${key} as ${who}`).not.toContain(CANARY);
        expect(JSON.stringify([...res.headers]), `${key} as ${who}`).not.toContain(CANARY);
      }
    }
    // Owners and the admin succeed everywhere; the viewer is refused changes.
    expect(statuses['post /credentials']).toEqual([200, 403]);
    expect(statuses['get /credentials/{credentialsId}']).toEqual([200, 200]);
    expect(statuses['put /pipeline-secrets/{secretId}']).toEqual([204, 403]);
    expect(statuses['post /runs']).toEqual([200, 403]);
    expect(statuses['post /weblog/{runId}']).toEqual([200]);
    const audit = JSON.stringify(await env.DB.prepare('SELECT * FROM audit_events').all());
    expect(audit).toContain('credentials.create');
    expect(audit).not.toContain(CANARY);
    // Sealed at rest: no table holds the canary in clear.
    expect(JSON.stringify(await dumpTables())).not.toContain(CANARY);
    expect(logged.join('\n')).not.toContain(CANARY);
  });

  it('answers malformed JSON and wrong types on every POST/PUT with a 400 naming the field, changing nothing', async () => {
    const w = await world();
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
      const who = ROUTES[key]!.callers[0]!;
      const { path, body } = await ROUTES[key]!.prepare(w);
      const before = JSON.stringify(await dumpTables());
      for (const raw of ['{bad', '', '[]', 'null', '"text"', '{"a":1']) {
        const res = await call(method, path, { token: tokenOf(w, who), raw });
        expect(res.status, `${key} with ${JSON.stringify(raw)}: ${res.text}`).toBe(400);
        expect(res.body?.message, key).toMatch(/request body|Field '/);
      }
      for (const leaf of leaves(body)) {
        if (leaf.length === 0) continue;
        const field = leaf.join('.');
        const res = await call(method, path, { token: tokenOf(w, who), json: withLeaf(body, leaf, wrongType(leaf.reduce((o: any, k) => o[k], body))) });
        // A wrong-typed provider picks no schema at all, so it is named as the provider field.
        expect(res.status, `${key} ${field}: ${res.text}`).toBe(400);
        expect(res.body.message, `${key} ${field}`).toContain(field.endsWith('.provider') || field === 'credentials.provider' ? 'credentials.provider' : `'${field}'`);
        checked++;
      }
      expect(JSON.stringify(await dumpTables()), `${key}: a rejected request changed D1`).toBe(before);
      if (!ROUTES[key]!.emptyBodyIsValid) {
        const missing = await call(method, path, { token: tokenOf(w, who), json: {} });
        expect(missing.status, `${key} with {}`).toBe(400);
        expect(missing.body.message).toMatch(/^Field '[\w.]+' is required/);
        expect(JSON.stringify(await dumpTables()), `${key}: a rejected request changed D1`).toBe(before);
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
