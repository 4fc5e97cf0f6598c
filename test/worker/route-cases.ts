/**
 * Every documented route, how to call it, who may, and what it answers: the table the suite-wide checks (leaks,
 * authorization matrix, malformed input, fuzzing) are generated from. A route in /openapi.json without an entry
 * here fails the suite.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { PROVIDER_IDS } from '../../shared/providers';
import { PERMISSIONS, ROLES, type Role, roleAtLeast } from '../../shared/roles';
import { sampleCredentials } from '../fixtures/credentials';
import { QUAY_ROBOT } from '../fixtures/registry-logins';
import { awsCredentials, newAwsAccount, pathOf } from './aws';
import { admin, call, credentialsPath, type Person, seedOrgWorkspace, seedUser, ws } from './helpers';
import { ADMIN_TOKEN_TEST } from './keys';

/** Who may call: anyone; any signed-in user for themselves; a workspace role; ADMIN_TOKEN; a run's token ('weblog':
 * the run token decides, in the URL or in Authorization, whoever sends it). */
export type Access = 'public' | 'self' | 'read' | 'manage' | 'launch' | 'maintain' | 'own' | 'admin' | 'weblog';
export type Caller = Role | 'outsider' | 'admin-token' | 'anonymous';
export const CALLERS: Caller[] = [...ROLES, 'outsider', 'admin-token', 'anonymous'];

export interface Records {
  workspaceId: string;
  credId: string;
  secretId: string;
  awsCredId: string;
}

export interface World {
  owner: Person;
  members: Record<Role, Person>;
  outsider: Person;
  org: Records;
  personal: Records;
  outsiderWorkspaceId: string;
  canary: string;
}

export interface Call {
  path: string;
  body?: unknown;
  /** The token to send instead of the caller's (a run token in Authorization: the trace API). */
  token?: string;
}

export interface RouteCase {
  access: Access;
  /** Refusals write an audit event by design (an HPC download refused): the fuzzer's "changes nothing" ignores the audit trail. */
  auditsRefusals?: boolean;
  /** The one kind of answer that carries stored values by design (an HPC run's single secret-store download). */
  returnsValues?: boolean;
  ok: 200 | 204;
  /** The body has no required field, so {} is a valid request. */
  emptyBodyIsValid?: boolean;
  /** Builds the request for `as` in workspace `r`; may create what it needs (as the owner). */
  prepare(w: World, r: Records, as: Person | null): Promise<Call>;
}

/** The role a seeded member has in the organization workspace, or null (an outsider). */
const roleOfIn = (w: World, p: Person): Role | null => (Object.entries(w.members).find(([, m]) => m.id === p.id)?.[0] as Role | undefined) ?? null;

let unique = 0;
const n = () => `${++unique}`;

async function launched(w: World, r: Records) {
  const res = await call('POST', `/runs${ws(r.workspaceId)}`, { token: w.owner.token, json: { credentialsId: r.awsCredId, region: 'eu-west-1' } });
  expect(res.status, res.text).toBe(200);
  return res.body as { run: { id: string }; completionUrl: string };
}

/** A launched run's id and run token, as Nextflow's trace client sends it (Authorization: Bearer). */
async function traced(w: World, r: Records) {
  const { run, completionUrl } = await launched(w, r);
  return { runId: run.id, token: new URL(completionUrl).searchParams.get('token')! };
}

export const ROUTES: Record<string, RouteCase> = {
  'get /service-info': { access: 'public', ok: 200, prepare: async () => ({ path: '/service-info' }) },
  'get /credentials': { access: 'read', ok: 200, prepare: async (_w, r) => ({ path: `/credentials${ws(r.workspaceId)}` }) },
  'get /credentials/validate': { access: 'read', ok: 204, prepare: async (_w, r) => ({ path: `/credentials/validate?name=free-${n()}&workspaceId=${r.workspaceId}` }) },
  'post /credentials': { access: 'manage', ok: 200, prepare: async (w, r) => ({ path: `/credentials${ws(r.workspaceId)}`, body: sampleCredentials('aws', w.canary, `aws-${n()}`) }) },
  'get /credentials/{credentialsId}': { access: 'read', ok: 200, prepare: async (_w, r) => ({ path: `/credentials/${r.credId}${ws(r.workspaceId)}` }) },
  'put /credentials/{credentialsId}': {
    access: 'manage',
    ok: 204,
    prepare: async (w, r) => ({ path: `/credentials/${r.credId}${ws(r.workspaceId)}`, body: sampleCredentials('aws', w.canary, 'aws-main') }),
  },
  'delete /credentials/{credentialsId}': {
    access: 'manage',
    ok: 204,
    prepare: async (w, r) => {
      const made = await call('POST', `/credentials${ws(r.workspaceId)}`, { token: w.owner.token, json: sampleCredentials('ssh', w.canary, `gone-${n()}`) });
      return { path: `/credentials/${made.body.credentialsId}${ws(r.workspaceId)}` };
    },
  },
  'post /credentials/{credentialsId}/check': {
    access: 'manage',
    ok: 204,
    prepare: async (w, r) => {
      const made = await call('POST', `/credentials${ws(r.workspaceId)}`, {
        token: w.owner.token,
        json: { credentials: { name: `reg-${n()}`, provider: 'container-reg', keys: { userName: QUAY_ROBOT.userName, password: QUAY_ROBOT.token, registry: env.TEST_REGISTRY_BASIC } } },
      });
      expect(made.status, made.text).toBe(200);
      return { path: `/credentials/${made.body.credentialsId}/check${ws(r.workspaceId)}` };
    },
  },
  'post /credentials/{credentialsId}/validate': {
    access: 'manage',
    ok: 200,
    prepare: async (w, r) => {
      // github: checked for well-formedness, so the matrix reaches no network; a fresh one per caller (rate limit).
      const made = await call('POST', `/credentials${ws(r.workspaceId)}`, { token: w.owner.token, json: sampleCredentials('github', w.canary, `val-${n()}`) });
      expect(made.status, made.text).toBe(200);
      return { path: `/credentials/${made.body.credentialsId}/validate${ws(r.workspaceId)}` };
    },
  },
  'get /pipeline-secrets': { access: 'read', ok: 200, prepare: async (_w, r) => ({ path: `/pipeline-secrets${ws(r.workspaceId)}` }) },
  'get /pipeline-secrets/validate': { access: 'read', ok: 204, prepare: async (_w, r) => ({ path: `/pipeline-secrets/validate?name=FREE_${n()}&workspaceId=${r.workspaceId}` }) },
  'post /pipeline-secrets': { access: 'manage', ok: 200, prepare: async (w, r) => ({ path: `/pipeline-secrets${ws(r.workspaceId)}`, body: { name: `S_${n()}`, value: w.canary } }) },
  'get /pipeline-secrets/{secretId}': { access: 'read', ok: 200, prepare: async (_w, r) => ({ path: `/pipeline-secrets/${r.secretId}${ws(r.workspaceId)}` }) },
  'put /pipeline-secrets/{secretId}': { access: 'manage', ok: 204, prepare: async (w, r) => ({ path: `/pipeline-secrets/${r.secretId}${ws(r.workspaceId)}`, body: { value: `${w.canary}-2` } }) },
  'delete /pipeline-secrets/{secretId}': {
    access: 'manage',
    ok: 204,
    prepare: async (w, r) => {
      const made = await call('POST', `/pipeline-secrets${ws(r.workspaceId)}`, { token: w.owner.token, json: { name: `GONE_${n()}`, value: w.canary } });
      return { path: `/pipeline-secrets/${made.body.secretId}${ws(r.workspaceId)}` };
    },
  },
  'get /user-info': { access: 'self', ok: 200, prepare: async () => ({ path: '/user-info' }) },
  'get /workspaces': { access: 'self', ok: 200, prepare: async () => ({ path: '/workspaces' }) },
  'get /user/{userId}/workspaces': { access: 'self', ok: 200, prepare: async (w, _r, as) => ({ path: `/user/${(as ?? w.owner).id}/workspaces` }) },
  'get /orgs': { access: 'self', ok: 200, prepare: async () => ({ path: '/orgs' }) },
  'get /orgs/{orgId}/workspaces': {
    access: 'self',
    ok: 200,
    // An organization the caller belongs to: ours for members, the outsider's own for the outsider.
    prepare: async (w, _r, as) => {
      const wsId = as && as.id === w.outsider.id ? w.outsiderWorkspaceId : w.org.workspaceId;
      const org = await env.DB.prepare('SELECT org_id FROM workspaces WHERE id = ?').bind(wsId).first<{ org_id: string }>();
      return { path: `/orgs/${org!.org_id}/workspaces` };
    },
  },
  'get /tokens': { access: 'self', ok: 200, prepare: async () => ({ path: '/tokens' }) },
  'post /tokens': { access: 'self', ok: 200, prepare: async () => ({ path: '/tokens', body: { name: `t-${n()}`, expiresInDays: 7 } }) },
  'delete /tokens/{tokenId}': {
    access: 'self',
    ok: 204,
    prepare: async (w, _r, as) => {
      const made = await call('POST', '/tokens', { token: (as ?? w.owner).token, json: { name: `del-${n()}` } });
      return { path: `/tokens/${made.body.token.id}` };
    },
  },
  'get /audit': { access: 'manage', ok: 200, prepare: async (_w, r) => ({ path: `/audit${ws(r.workspaceId)}` }) },
  'get /admin/users': { access: 'admin', ok: 200, prepare: async () => ({ path: '/admin/users' }) },
  'post /admin/users': { access: 'admin', ok: 200, prepare: async () => ({ path: '/admin/users', body: { userName: `u${n()}x`, email: `u${n()}@example.com` } }) },
  'post /admin/users/{userId}/tokens': { access: 'admin', ok: 200, prepare: async (w) => ({ path: `/admin/users/${w.members.view.id}/tokens`, body: { name: `adm-${n()}` } }) },
  'delete /admin/tokens/{tokenId}': {
    access: 'admin',
    ok: 204,
    prepare: async (w) => {
      const made = await admin('POST', `/users/${w.members.view.id}/tokens`, { name: `adm-del-${n()}` });
      return { path: `/admin/tokens/${made.body.token.id}` };
    },
  },
  'post /admin/organizations': { access: 'admin', ok: 200, prepare: async () => ({ path: '/admin/organizations', body: { name: `org-${n()}` } }) },
  'post /admin/organizations/{orgId}/workspaces': {
    access: 'admin',
    ok: 200,
    prepare: async () => {
      const org = await admin('POST', '/organizations', { name: `org-${n()}` });
      return { path: `/admin/organizations/${org.body.orgId}/workspaces`, body: { name: `ws-${n()}` } };
    },
  },
  'put /admin/workspaces/{workspaceId}/members/{userId}': {
    access: 'admin',
    ok: 204,
    prepare: async (w) => ({ path: `/admin/workspaces/${w.org.workspaceId}/members/${w.members.view.id}`, body: { role: 'view' } }),
  },
  'delete /admin/workspaces/{workspaceId}/members/{userId}': {
    access: 'admin',
    ok: 204,
    prepare: async (w) => {
      const extra = await seedUser('leaving');
      await admin('PUT', `/workspaces/${w.org.workspaceId}/members/${extra.id}`, { role: 'launch' });
      return { path: `/admin/workspaces/${w.org.workspaceId}/members/${extra.id}` };
    },
  },
  'post /admin/vault/rotate': { access: 'admin', ok: 200, prepare: async () => ({ path: '/admin/vault/rotate' }) },
  'get /runs': { access: 'read', ok: 200, prepare: async (_w, r) => ({ path: `/runs${ws(r.workspaceId)}` }) },
  'post /runs': { access: 'launch', ok: 200, prepare: async (_w, r) => ({ path: `/runs${ws(r.workspaceId)}`, body: { credentialsId: r.awsCredId, region: 'eu-west-1', runName: `r${n()}`, ttlHours: 2 } }) },
  'get /runs/{runId}': { access: 'read', ok: 200, prepare: async (w, r) => ({ path: `/runs/${(await launched(w, r)).run.id}${ws(r.workspaceId)}` }) },
  // The run is the owner's: completing another member's run needs maintain (their own, launch: see runs tests).
  'get /runs/{runId}/launch-kit': {
    access: 'launch',
    ok: 200,
    // The kit is the launcher's alone: each member with the launch role asks for the kit of a run they launched.
    prepare: async (w, r, as) => {
      const role = as && r.workspaceId === w.org.workspaceId ? roleOfIn(w, as) : null;
      const launcher = as && role && roleAtLeast(role, PERMISSIONS.launch) ? as : w.owner;
      const res = await call('POST', `/runs${ws(r.workspaceId)}`, { token: launcher.token, json: { credentialsId: r.awsCredId, region: 'eu-west-1' } });
      expect(res.status, res.text).toBe(200);
      return { path: `/runs/${res.body.run.id}/launch-kit${ws(r.workspaceId)}` };
    },
  },
  'post /runs/{runId}/complete': {
    access: 'maintain',
    ok: 200,
    emptyBodyIsValid: true,
    prepare: async (w, r) => ({ path: `/runs/${(await launched(w, r)).run.id}/complete${ws(r.workspaceId)}`, body: { success: true } }),
  },
  'put /relay-targets/hpc': { access: 'own', ok: 204, emptyBodyIsValid: true, prepare: async (_w, r) => ({ path: `/relay-targets/hpc${ws(r.workspaceId)}`, body: {} }) },
  'delete /relay-targets/hpc': { access: 'own', ok: 204, prepare: async (_w, r) => ({ path: `/relay-targets/hpc${ws(r.workspaceId)}` }) },
  'get /relay-targets': { access: 'read', ok: 200, prepare: async (_w, r) => ({ path: `/relay-targets${ws(r.workspaceId)}` }) },
  'post /relay-targets': {
    access: 'own',
    ok: 200,
    prepare: async (_w, r) => {
      const accountId = String(100000000000 + ++unique);
      return { path: `/relay-targets${ws(r.workspaceId)}`, body: { accountId, roleArns: [`arn:aws:iam::${accountId}:role/Nextflow`], description: 'batch account' } };
    },
  },
  'delete /relay-targets/{accountId}': {
    access: 'own',
    ok: 204,
    prepare: async (w, r) => {
      const accountId = String(200000000000 + ++unique);
      const made = await call('POST', `/relay-targets${ws(r.workspaceId)}`, { token: w.owner.token, json: { accountId } });
      expect(made.status, made.text).toBe(200);
      return { path: `/relay-targets/${accountId}${ws(r.workspaceId)}` };
    },
  },
  'post /weblog/{runId}': {
    access: 'weblog',
    ok: 200,
    prepare: async (w, r) => ({ path: pathOf((await launched(w, r)).completionUrl), body: { event: 'started', runName: 'serene_babbage', runId: crypto.randomUUID(), utcTime: '2026-11-22T10:00:00Z' } }),
  },
  'post /hpc/{runId}/secrets-store': {
    access: 'weblog',
    ok: 200,
    auditsRefusals: true,
    returnsValues: true,
    // A fresh 'hpc' run each time (its store downloads once); the download token is the head script's.
    prepare: async (w, r) => {
      expect((await call('PUT', `/relay-targets/hpc${ws(r.workspaceId)}`, { token: w.owner.token, json: {} })).status).toBe(204);
      const res = await call('POST', `/runs${ws(r.workspaceId)}`, { token: w.owner.token, json: { target: 'hpc' } });
      expect(res.status, res.text).toBe(200);
      const token = /Authorization: Bearer %s"\\n' '([^']+)'/.exec(res.body.nextflow.headScript)?.[1];
      expect(token, 'download token in the head script').toBeTruthy();
      return { path: `/hpc/${res.body.run.id}/secrets-store`, token };
    },
  },
  // Nextflow's trace API (bodies: the typed fields of test/fixtures/trace; every leaf here must be type-checked).
  'post /trace/create': {
    access: 'weblog',
    ok: 200,
    prepare: async (w, r) => {
      const { token } = await traced(w, r);
      const body = { sessionId: crypto.randomUUID(), runName: 'golden_curie', projectName: 'nf-core/rnaseq', repository: 'https://github.com/nf-core/rnaseq', instant: 1795860000000 };
      return { path: '/trace/create', token, body };
    },
  },
  'put /trace/{workflowId}/begin': {
    access: 'weblog',
    ok: 200,
    prepare: async (w, r) => {
      const { runId, token } = await traced(w, r);
      const body = { workflow: { id: runId, runName: 'golden_curie', sessionId: crypto.randomUUID(), success: false }, processNames: ['FASTQC'], towerLaunch: false, instant: 1795860002100 };
      return { path: `/trace/${runId}/begin`, token, body };
    },
  },
  'put /trace/{workflowId}/progress': {
    access: 'weblog',
    ok: 200,
    emptyBodyIsValid: true,
    prepare: async (w, r) => {
      const { runId, token } = await traced(w, r);
      return { path: `/trace/${runId}/progress`, token, body: { tasks: [], progress: { running: 1, succeeded: 0 }, instant: 1795860104000 } };
    },
  },
  'put /trace/{workflowId}/heartbeat': {
    access: 'weblog',
    ok: 200,
    emptyBodyIsValid: true,
    prepare: async (w, r) => {
      const { runId, token } = await traced(w, r);
      return { path: `/trace/${runId}/heartbeat`, token, body: { progress: { running: 1 }, instant: 1795860165000 } };
    },
  },
  'put /trace/{workflowId}/complete': {
    access: 'weblog',
    ok: 200,
    prepare: async (w, r) => {
      const { runId, token } = await traced(w, r);
      return { path: `/trace/${runId}/complete?workspaceId=${r.workspaceId}`, token, body: { workflow: { success: true, exitStatus: 0 }, instant: 1795862537900 } };
    },
  },
};

/** Records (every provider's credentials, secrets, aws credentials) the owner plants in a workspace. */
async function plant(owner: Person, workspaceId: string | undefined, canary: string): Promise<Omit<Records, 'workspaceId'>> {
  for (const p of PROVIDER_IDS) {
    const res = await call('POST', credentialsPath(workspaceId, p), { token: owner.token, json: sampleCredentials(p, canary) });
    expect(res.status, res.text).toBe(200);
  }
  const credId = (await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: sampleCredentials('aws', canary, 'aws-main') })).body.credentialsId;
  const secretId = (await call('POST', `/pipeline-secrets${ws(workspaceId)}`, { token: owner.token, json: { name: 'MAIN', value: canary } })).body.secretId;
  const awsCredId = await awsCredentials(owner, await newAwsAccount(), workspaceId);
  return { credId, secretId, awsCredId };
}

export async function buildWorld(canary: string): Promise<World> {
  const owner = await seedUser('owner');
  const members = { owner } as Record<Role, Person>;
  for (const role of ROLES) if (role !== 'owner') members[role] = await seedUser(role);
  const outsider = await seedUser('outsider');
  const { workspaceId } = await seedOrgWorkspace(ROLES.map((role) => [members[role], role] as [Person, string]));
  const outsiderWs = await seedOrgWorkspace([[outsider, 'owner']]);
  const org = { workspaceId, ...(await plant(owner, workspaceId, canary)) };
  const personal = { workspaceId: owner.personalWorkspaceId, ...(await plant(owner, undefined, canary)) };
  // Members' own user secrets with the same name: they override the workspace's at launch.
  for (const role of ROLES) await call('POST', '/pipeline-secrets', { token: members[role].token, json: { name: 'MAIN', value: `${canary}-user` } });
  return { owner, members, outsider, org, personal, outsiderWorkspaceId: outsiderWs.workspaceId, canary };
}

export function personOf(w: World, who: Caller): Person | null {
  if (who === 'outsider') return w.outsider;
  if (who === 'admin-token' || who === 'anonymous') return null;
  return w.members[who];
}

export function tokenOf(w: World, who: Caller): string | undefined {
  if (who === 'admin-token') return ADMIN_TOKEN_TEST;
  return personOf(w, who)?.token;
}

/** The status `who` must get from a route in the organization workspace. */
export function expectedStatus(route: RouteCase, who: Caller): number {
  switch (route.access) {
    case 'public':
      return route.ok;
    case 'weblog':
      return route.ok; // the URL's token decides, whoever sends it
    case 'admin':
      return who === 'admin-token' ? route.ok : 401;
    case 'self':
      return who === 'admin-token' || who === 'anonymous' ? 401 : route.ok;
    default:
      if (who === 'admin-token' || who === 'anonymous') return 401;
      if (who === 'outsider') return 404;
      return roleAtLeast(who, PERMISSIONS[route.access]) ? route.ok : 403;
  }
}

export async function documentedRoutes(): Promise<Array<{ key: string; method: string; hasBody: boolean }>> {
  const doc = (await call('GET', '/openapi.json')).body;
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method} ${path}`, method: method.toUpperCase(), hasBody: Boolean(op.requestBody) })),
  );
}
