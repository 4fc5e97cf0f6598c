/**
 * Seqera's clients against Latchkey: every response of the operations `tw` and the Terraform provider use is
 * validated against Seqera's published OpenAPI (test/contract/seqera-spec.ts), with int64 ids decoded as integers.
 * Runs in Node against `wrangler dev` (ajv compiles with `new Function`, which workerd forbids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWorker, startPeers } from '../../scripts/lib/dev-worker.mjs';
import { PROVIDER_IDS } from '../../shared/providers';
import { sampleCredentials } from '../fixtures/credentials';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SPEC_PROVIDERS, specProblems, writeOnlyKeys } from './seqera-spec';
import { PLATFORM_AWS_TEST } from '../worker/keys';

const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/seqera/${name}`, import.meta.url).href), 'utf8'));
type Body = { credentials: { name: string; provider: string; keys: Record<string, unknown> } };
const twBodies = Object.entries(fixture('tw-credentials.json') as Record<string, Body>);
const terraformBodies = Object.entries(fixture('terraform-credentials.json') as Record<string, Body>);

let peers: Awaited<ReturnType<typeof startPeers>>;
let worker: Awaited<ReturnType<typeof startDevWorker>>;
let token = '';
let userId = 0;
let orgId = 0;
let workspaceId = 0;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(worker.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : null };
}

/** The Secrets Manager / STS stand-in's control API (test/peers/secrets-manager.ts). */
async function standIn(path: string, body: unknown = {}) {
  const res = await fetch(`${peers.secretsManagerUrl}/__control${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, string>;
}

/** Calls the worker and asserts the answer matches Seqera's spec for `template` (the spec's path) and the status. */
async function conforming(method: string, template: string, path: string, body?: unknown, expected?: number) {
  const res = await call(method, path, body);
  if (expected !== undefined) expect(res.status, JSON.stringify(res.body)).toBe(expected);
  expect(specProblems(method, template, res.status, res.body)).toEqual([]);
  return res;
}

beforeAll(async () => {
  peers = await startPeers();
  worker = await startDevWorker({
    vars: {
      AWS_ENDPOINT_URL: peers.secretsManagerUrl,
      PLATFORM_AWS_ACCESS_KEY_ID: PLATFORM_AWS_TEST.accessKeyId,
      PLATFORM_AWS_SECRET_ACCESS_KEY: PLATFORM_AWS_TEST.secretAccessKey,
      PLATFORM_AWS_PRINCIPAL_ARN: PLATFORM_AWS_TEST.principalArn,
    },
  });
  await standIn('/accounts', PLATFORM_AWS_TEST);
  const { user } = await worker.admin('POST', '/users', { userName: 'contract', email: 'contract@example.com' });
  userId = Number(user.id);
  token = (await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'contract' })).accessKey;
  orgId = Number((await worker.admin('POST', '/organizations', { name: 'seqera-org' })).orgId);
  workspaceId = Number((await worker.admin('POST', `/organizations/${orgId}/workspaces`, { name: 'pipelines' })).workspaceId);
  await worker.admin('PUT', `/workspaces/${workspaceId}/members/${user.id}`, { role: 'owner' });
});

afterAll(async () => {
  await worker?.stop();
  await peers?.stop();
});

describe("Seqera's spec, response by response", () => {
  it('service-info, user-info and the workspace listings tw resolves names with', async () => {
    await conforming('GET', '/service-info', '/service-info', undefined, 200);
    const me = await conforming('GET', '/user-info', '/user-info', undefined, 200);
    expect(me.body.user.id).toBe(userId);
    const ws = await conforming('GET', '/user/{userId}/workspaces', `/user/${userId}/workspaces`, undefined, 200);
    const rows = ws.body.orgsAndWorkspaces as Array<Record<string, unknown>>;
    expect(rows).toContainEqual(expect.objectContaining({ orgId, orgName: 'seqera-org', workspaceId, workspaceName: 'pipelines' }));
    // The organization's own row (no workspace) and the personal workspace, as Seqera lists them.
    expect(rows).toContainEqual(expect.objectContaining({ orgId, orgName: 'seqera-org' }));
    expect(rows.some((r) => r.orgId === orgId && r.workspaceId === undefined)).toBe(true);
    expect(rows.some((r) => r.orgId === undefined && r.workspaceName === undefined)).toBe(true);
    const orgs = await conforming('GET', '/orgs', '/orgs', undefined, 200);
    expect(orgs.body.organizations).toContainEqual(expect.objectContaining({ orgId, name: 'seqera-org' }));
    const wss = await conforming('GET', '/orgs/{orgId}/workspaces', `/orgs/${orgId}/workspaces`, undefined, 200);
    expect(wss.body.workspaces).toContainEqual(expect.objectContaining({ id: workspaceId, name: 'pipelines' }));
  });

  it('knows every provider in the spec', () => {
    expect([...PROVIDER_IDS].sort()).toEqual(SPEC_PROVIDERS.filter((p) => p !== 'local').sort());
  });

  it.each(PROVIDER_IDS)('credentials of provider %s: create, list, describe, update, validate, delete', async (provider) => {
    const q = `?workspaceId=${workspaceId}`;
    const body = sampleCredentials(provider, 'CANARY', `contract-${provider.replace(/_/g, '-')}`);
    await conforming('GET', '/credentials/validate', `/credentials/validate${q}&name=${body.credentials.name}`, undefined, 204);
    const created = await conforming('POST', '/credentials', `/credentials${q}&skipRegistryCheck=true`, body, 200);
    const id = created.body.credentialsId as string;
    await conforming('GET', '/credentials/validate', `/credentials/validate${q}&name=${body.credentials.name}`, undefined, 409);
    const list = await conforming('GET', '/credentials', `/credentials${q}`, undefined, 200);
    const listed = (list.body.credentials as Array<{ id: string; keys: Record<string, unknown> }>).find((c) => c.id === id)!;
    const described = await conforming('GET', '/credentials/{credentialsId}', `/credentials/${id}${q}`, undefined, 200);
    for (const keys of [listed.keys, described.body.credentials.keys]) {
      expect(keys.discriminator).toBe(provider);
      for (const secret of writeOnlyKeys(provider)) expect(keys).not.toHaveProperty(secret);
    }
    expect(JSON.stringify(described.body)).not.toContain('CANARY');
    expect(described.body.credentials.status).toBe('AVAILABLE');
    await conforming('PUT', '/credentials/{credentialsId}', `/credentials/${id}${q}&skipRegistryCheck=true`, { credentials: { ...body.credentials, description: 'updated' } }, 204);
    const validated = await conforming('POST', '/credentials/{credentialsId}/validate', `/credentials/${id}/validate${q}`, undefined, 200);
    // The sample keys are unknown to the STS stand-in (INVALID, with AWS's reason); quay.io is not reachable from the
    // test (transient: status unchanged); every other provider is checked for well-formedness (AVAILABLE).
    const aws = provider === 'aws' || provider === 'seqeracompute';
    expect(validated.body, JSON.stringify(validated.body)).toMatchObject(
      aws ? { status: 'INVALID', transientError: false } : provider === 'container-reg' ? { status: 'AVAILABLE', transientError: true } : { status: 'AVAILABLE', message: null, transientError: false },
    );
    const after = await conforming('GET', '/credentials/{credentialsId}', `/credentials/${id}${q}`, undefined, 200);
    if (aws) expect(after.body.credentials).toMatchObject({ status: 'INVALID', message: expect.stringMatching(/STS .*UnrecognizedClientException/), lastValidated: expect.any(String) });
    else if (provider !== 'container-reg') expect(after.body.credentials).toMatchObject({ status: 'AVAILABLE', lastValidated: expect.any(String) });
    await conforming('DELETE', '/credentials/{credentialsId}', `/credentials/${id}${q}&checked=false`, undefined, 204);
  });

  it('pipeline secrets: create, list, describe, update, validate, delete, with int64 ids', async () => {
    for (const q of ['', `?workspaceId=${workspaceId}`]) {
      const amp = q ? '&' : '?';
      await conforming('GET', '/pipeline-secrets/validate', `/pipeline-secrets/validate${q}${amp}name=CONTRACT_TOKEN`, undefined, 204);
      const created = await conforming('POST', '/pipeline-secrets', `/pipeline-secrets${q}`, { name: 'CONTRACT_TOKEN', value: 's3cr3t' }, 200);
      const id = created.body.secretId as number;
      expect(typeof id).toBe('number');
      await conforming('GET', '/pipeline-secrets/validate', `/pipeline-secrets/validate${q}${amp}name=CONTRACT_TOKEN`, undefined, 409);
      await conforming('GET', '/pipeline-secrets/validate', `/pipeline-secrets/validate${q}${amp}name=A__B`, undefined, 400);
      const list = await conforming('GET', '/pipeline-secrets', `/pipeline-secrets${q}`, undefined, 200);
      expect(list.body.pipelineSecrets).toContainEqual(expect.objectContaining({ id, name: 'CONTRACT_TOKEN' }));
      const one = await conforming('GET', '/pipeline-secrets/{secretId}', `/pipeline-secrets/${id}${q}`, undefined, 200);
      expect(one.body.pipelineSecret.id).toBe(id);
      await conforming('PUT', '/pipeline-secrets/{secretId}', `/pipeline-secrets/${id}${q}`, { value: 'n3w' }, 204);
      await conforming('POST', '/pipeline-secrets', `/pipeline-secrets${q}`, { name: 'A__B', value: 'x' }, 400);
      await conforming('DELETE', '/pipeline-secrets/{secretId}', `/pipeline-secrets/${id}${q}`, undefined, 204);
    }
  });

  it('errors are the spec’s ErrorResponse', async () => {
    await conforming('POST', '/credentials', `/credentials?workspaceId=${workspaceId}`, { credentials: { name: 'x', provider: 'aws', keys: { bogus: 1 } } }, 400);
  });

  it.each([...twBodies.map(([k, b]) => ['tw', k, b] as const), ...terraformBodies.map(([k, b]) => ['terraform', k, b] as const)])(
    '%s body for %s: accepted on create and on update (sent again whole), described per the spec, secrets never returned',
    async (_client, _key, body) => {
      const q = `?workspaceId=${workspaceId}&skipRegistryCheck=true`;
      const created = await conforming('POST', '/credentials', `/credentials${q}`, body, 200);
      const id = created.body.credentialsId as string;
      await conforming('PUT', '/credentials/{credentialsId}', `/credentials/${id}${q}`, body, 204);
      const described = await conforming('GET', '/credentials/{credentialsId}', `/credentials/${id}?workspaceId=${workspaceId}`, undefined, 200);
      expect(described.body.credentials).toMatchObject({ name: body.credentials.name, provider: body.credentials.provider });
      // Every public field that was set is stored and returned; no secret comes back.
      for (const [k, v] of Object.entries(body.credentials.keys))
        if (v !== null && k !== 'discriminator' && !writeOnlyKeys(body.credentials.provider).includes(k) && !/CANARY/.test(String(v)))
          expect(described.body.credentials.keys[k], k).toBe(k === 'registry' ? 'docker.io' : v);
      expect(JSON.stringify(described.body)).not.toContain('CANARY');
      await conforming('DELETE', '/credentials/{credentialsId}', `/credentials/${id}?workspaceId=${workspaceId}`, undefined, 204);
    },
  );

  it('pipeline secrets as tw and Terraform send them', async () => {
    for (const [client, { create, update }] of Object.entries(fixture('pipeline-secrets.json') as Record<string, { create: unknown; update: unknown }>)) {
      const made = await conforming('POST', '/pipeline-secrets', `/pipeline-secrets?workspaceId=${workspaceId}`, create, 200);
      await conforming('PUT', '/pipeline-secrets/{secretId}', `/pipeline-secrets/${made.body.secretId}?workspaceId=${workspaceId}`, update, 204);
      await conforming('DELETE', '/pipeline-secrets/{secretId}', `/pipeline-secrets/${made.body.secretId}?workspaceId=${workspaceId}`, undefined, 204);
      expect(client).toMatch(/tw|terraform/);
    }
  });

  it('tw credentials add aws --mode=role: ?useExternalId=true, then the External ID and trust policy as described', async () => {
    const customer = await standIn('/accounts');
    const roleArn = `arn:aws:iam::${customer.accountId}:role/SeqeraPlatform`;
    const body = { credentials: { ...twBodies.find(([k]) => k === 'aws-role')![1].credentials, name: 'tw-role-mode', keys: { discriminator: 'aws', mode: 'role', assumeRoleArn: roleArn } } };
    const created = await conforming('POST', '/credentials', `/credentials?useExternalId=true&workspaceId=${workspaceId}`, body, 200);
    const id = created.body.credentialsId as string;
    const described = await conforming('GET', '/credentials/{credentialsId}', `/credentials/${id}?workspaceId=${workspaceId}`, undefined, 200);
    const externalId = described.body.credentials.keys.externalId as string;
    expect(externalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(described.body.setupSnippet).Statement[0]).toMatchObject({ Principal: { AWS: PLATFORM_AWS_TEST.principalArn }, Condition: { StringEquals: { 'sts:ExternalId': externalId } } });
    await conforming('PUT', '/credentials/{credentialsId}', `/credentials/${id}?useExternalId=true&workspaceId=${workspaceId}`, body, 204);
    await standIn(`/accounts/${customer.accessKeyId}/roles`, { name: 'SeqeraPlatform', trustedPrincipal: PLATFORM_AWS_TEST.principalArn, externalId });
    const validated = await conforming('POST', '/credentials/{credentialsId}/validate', `/credentials/${id}/validate?workspaceId=${workspaceId}`, undefined, 200);
    expect(validated.body).toEqual({ status: 'AVAILABLE', message: null, transientError: false });
    await conforming('DELETE', '/credentials/{credentialsId}', `/credentials/${id}?workspaceId=${workspaceId}`, undefined, 204);
  });

  it('still refuses genuinely unknown keys, naming them', async () => {
    const res = await call('POST', `/credentials?workspaceId=${workspaceId}`, { credentials: { name: 'unknown-field', provider: 'github', keys: { username: 'u', password: 'p', sshKey: 'x' } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/sshKey/);
  });
});
