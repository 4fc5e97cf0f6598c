import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS, secretFieldNames } from '../../shared/providers';
import { loadCredentialsWithSecrets } from '../../worker/src/credentials';
import { keyringFor } from '../../worker/src/vault';
import { sampleCredentials, sampleKeys } from '../fixtures/credentials';
import { call, credentialsPath, seedOrgWorkspace, seedUser, ws } from './helpers';

describe('credentials API', () => {
  it.each(PROVIDER_IDS)('%s: create, list, describe, update, delete; secret fields never returned', async (provider) => {
    const me = await seedUser();
    const { workspaceId } = await seedOrgWorkspace([[me, 'admin']]);
    const canary = `CANARY${provider.replace(/\W/g, '')}7731`;
    const created = await call('POST', credentialsPath(workspaceId, provider), { token: me.token, json: sampleCredentials(provider, canary) });
    expect(created.status, created.text).toBe(200);
    const id = created.body.credentialsId as string;
    expect(id).toMatch(/^[A-Za-z0-9]{22}$/);

    const listed = await call('GET', `/credentials${ws(workspaceId)}`, { token: me.token });
    expect(listed.status).toBe(200);
    expect(listed.body.credentials).toHaveLength(1);
    const described = await call('GET', `/credentials/${id}${ws(workspaceId)}`, { token: me.token });
    expect(described.status).toBe(200);
    const c = described.body.credentials;
    expect(c).toMatchObject({ id, name: `${provider}-creds`, provider, description: `${provider} for tests`, status: 'AVAILABLE' });
    // Seqera's clients decode a null date as an error: a value never set is left out.
    expect(c).not.toHaveProperty('lastUsed');
    expect(c).not.toHaveProperty('lastValidated');
    expect(c.keys.discriminator).toBe(provider);
    for (const field of secretFieldNames(provider)) expect(c.keys).not.toHaveProperty(field);
    expect(listed.text + described.text).not.toContain(canary);
    if (provider === 'container-reg') expect(c.keys.registry).toBe('quay.io');
    if (provider === 'tw-agent') expect(c.keys).toMatchObject({ connectionId: '0f6b7c1e-8a8d-4f0e-9a33-2d1f5c3b7e21', shared: false });
    if (provider === 'aws') expect(c.keys).toEqual({ discriminator: 'aws', accessKey: 'AKIAIOSFODNN7EXAMPLE', assumeRoleArn: 'arn:aws:iam::123456789012:role/NextflowRunner' });

    // The row holds only ciphertext.
    const row = await env.DB.prepare('SELECT * FROM credentials WHERE id = ?').bind(id).first<Record<string, string>>();
    expect(JSON.stringify(row)).not.toContain(canary);

    // Update: rename, leave every secret field out; the stored secrets are kept.
    const keys = sampleKeys(provider, canary);
    const publicOnly = Object.fromEntries(Object.entries(keys).filter(([k]) => !secretFieldNames(provider).includes(k)));
    const updated = await call('PUT', `/credentials/${id}${ws(workspaceId)}${provider === 'container-reg' ? '&skipRegistryCheck=true' : ''}`, {
      token: me.token,
      json: { credentials: { ...sampleCredentials(provider, canary).credentials, name: `${provider}-renamed`, keys: publicOnly } },
    });
    expect(updated.status, updated.text).toBe(204);
    const keyring = await keyringFor(env.VAULT_KEYS);
    const opened = await loadCredentialsWithSecrets(env.DB, keyring, workspaceId, id);
    expect(opened.credentials.name).toBe(`${provider}-renamed`);
    expect(opened.secrets).toEqual(Object.fromEntries(Object.entries(keys).filter(([k]) => secretFieldNames(provider).includes(k))));

    const deleted = await call('DELETE', `/credentials/${id}${ws(workspaceId)}`, { token: me.token });
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/credentials/${id}${ws(workspaceId)}`, { token: me.token })).status).toBe(404);
    expect((await call('DELETE', `/credentials/${id}${ws(workspaceId)}`, { token: me.token })).status).toBe(404);
  });

  it('says a server URL is too long as such, not that it is not a string', async () => {
    const me = await seedUser();
    const res = await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'long-url', provider: 'gitlab', baseUrl: `https://${'a'.repeat(2100)}.example`, keys: { username: 'u', token: 't' } } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/baseUrl.*must be at most 2048 characters/);
  });

  it('replaces a secret field that is sent and keeps the ones left out', async () => {
    const me = await seedUser();
    const { body } = await call('POST', '/credentials', { token: me.token, json: sampleCredentials('gitlab', 'OLD') });
    const res = await call('PUT', `/credentials/${body.credentialsId}`, {
      token: me.token,
      json: { credentials: { name: 'gitlab-creds', provider: 'gitlab', baseUrl: 'https://gitlab.example.com', keys: { username: 'octo2', token: 'glpat-NEW' } } },
    });
    expect(res.status, res.text).toBe(204);
    const opened = await loadCredentialsWithSecrets(env.DB, await keyringFor(env.VAULT_KEYS), me.personalWorkspaceId, body.credentialsId);
    expect(opened.secrets).toEqual({ password: 'pw-OLD', token: 'glpat-NEW' });
    expect(opened.credentials.keys.username).toBe('octo2');
    expect(opened.credentials.baseUrl).toBe('https://gitlab.example.com');
    // Leaving the server out moves the token's destination (to gitlab.com): the stored password must then be re-sent.
    const moved = await call('PUT', `/credentials/${body.credentialsId}`, { token: me.token, json: { credentials: { name: 'gitlab-creds', provider: 'gitlab', keys: { username: 'octo2', token: 'glpat-NEW' } } } });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toMatch(/^Field 'credentials\.keys\.password' must be sent again: 'credentials\.baseUrl' changes from 'https:\/\/gitlab\.example\.com' to empty/);
  });

  it('accepts what Seqera clients send: discriminator in keys, echoed read-only fields', async () => {
    const me = await seedUser();
    const body = sampleCredentials('aws', 'x');
    const res = await call('POST', '/credentials', {
      token: me.token,
      json: { credentials: { ...body.credentials, keys: { ...body.credentials.keys, discriminator: 'aws' }, category: 'cloud', checked: true } },
    });
    expect(res.status, res.text).toBe(200);
    const id = res.body.credentialsId;
    const got = await call('GET', `/credentials/${id}`, { token: me.token });
    const echoed = await call('PUT', `/credentials/${id}`, { token: me.token, json: { credentials: got.body.credentials } });
    expect(echoed.status, echoed.text).toBe(204);
    const wrongId = await call('PUT', `/credentials/${id}`, { token: me.token, json: { credentials: { ...got.body.credentials, id: 'someOtherId' } } });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.message).toMatch(/credentials\.id/);
  });

  it('filters by platformId and keeps personal and workspace credentials apart', async () => {
    const me = await seedUser();
    const { workspaceId } = await seedOrgWorkspace([[me, 'owner']]);
    for (const p of ['aws', 'github', 'container-reg'] as const)
      expect((await call('POST', credentialsPath(undefined, p), { token: me.token, json: sampleCredentials(p, 'a') })).status).toBe(200);
    expect((await call('POST', `/credentials${ws(workspaceId)}`, { token: me.token, json: sampleCredentials('aws', 'b') })).status).toBe(200);
    const personal = await call('GET', '/credentials', { token: me.token });
    expect(personal.body.credentials.map((c: any) => c.name)).toEqual(['aws-creds', 'container-reg-creds', 'github-creds']);
    const explicitPersonal = await call('GET', `/credentials${ws(me.personalWorkspaceId)}`, { token: me.token });
    expect(explicitPersonal.body).toEqual(personal.body);
    const filtered = await call('GET', '/credentials?platformId=github', { token: me.token });
    expect(filtered.body.credentials.map((c: any) => c.provider)).toEqual(['github']);
    const inWs = await call('GET', `/credentials${ws(workspaceId)}`, { token: me.token });
    expect(inWs.body.credentials).toHaveLength(1);
    // A personal credentials id is not found through the workspace, and vice versa.
    const personalId = personal.body.credentials[0].id;
    expect((await call('GET', `/credentials/${personalId}${ws(workspaceId)}`, { token: me.token })).status).toBe(404);
    expect((await call('DELETE', `/credentials/${personalId}${ws(workspaceId)}`, { token: me.token })).status).toBe(404);
    const badFilter = await call('GET', '/credentials?platformId=gcp', { token: me.token });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.message).toMatch(/Query parameter 'platformId' must be one of aws/);
  });

  it('enforces the name rule and uniqueness per workspace, and /validate agrees', async () => {
    const me = await seedUser();
    const { workspaceId } = await seedOrgWorkspace([[me, 'admin']]);
    const bad = ['', 'has space', 'dot.ted', 'x'.repeat(101), 'ümlaut'];
    for (const name of bad) {
      const res = await call('POST', '/credentials', { token: me.token, json: { credentials: { ...sampleCredentials('github', 'z').credentials, name } } });
      expect(res.status, name).toBe(400);
      expect(res.body.message).toMatch(/Field 'credentials\.name' (must be 1-100 characters|is required|is 101 characters long)/);
      const v = await call('GET', `/credentials/validate?name=${encodeURIComponent(name)}`, { token: me.token });
      expect(v.status).toBe(400);
      expect(v.body.message).toMatch(/Field 'name'/);
    }
    const good = ['a', 'A-b_9', 'x'.repeat(100)];
    for (const name of good) {
      expect((await call('GET', `/credentials/validate?name=${name}`, { token: me.token })).status).toBe(204);
      expect((await call('POST', '/credentials', { token: me.token, json: { credentials: { ...sampleCredentials('github', 'z').credentials, name } } })).status).toBe(200);
      const taken = await call('GET', `/credentials/validate?name=${name}`, { token: me.token });
      expect(taken.status).toBe(409);
      expect(taken.body.message).toMatch(`'${name}' already exist`);
      // The same name is free in another workspace.
      expect((await call('GET', `/credentials/validate?name=${name}${ws(workspaceId).replace('?', '&')}`, { token: me.token })).status).toBe(204);
    }
    const dup = await call('POST', '/credentials', { token: me.token, json: { credentials: { ...sampleCredentials('aws', 'z').credentials, name: 'a' } } });
    expect(dup.status).toBe(409);
    // Renaming onto a taken name is a 409 too, and changes nothing.
    const list = (await call('GET', '/credentials', { token: me.token })).body.credentials;
    const other = list.find((c: any) => c.name === 'A-b_9');
    const rename = await call('PUT', `/credentials/${other.id}`, { token: me.token, json: { credentials: { name: 'a', provider: 'github', keys: { username: 'octo' } } } });
    expect(rename.status).toBe(409);
    expect((await call('GET', `/credentials/${other.id}`, { token: me.token })).body.credentials.name).toBe('A-b_9');
  });

  it('lets exactly one of many concurrent creates with one name succeed; the rest get 409', async () => {
    const me = await seedUser();
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call('POST', '/credentials', { token: me.token, json: sampleCredentials('aws', `race${i}`, 'racy-name') })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.message).toMatch(/'racy-name' already exist/);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM credentials WHERE name = 'racy-name'").first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it('checks provider rules: cross-field k8s, baseUrl only for git, shared agents only in organizations, no provider change', async () => {
    const me = await seedUser();
    const { workspaceId } = await seedOrgWorkspace([[me, 'owner']]);
    const k8sNone = await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'k', provider: 'k8s', keys: {} } } });
    expect(k8sNone.body.message).toBe("Field 'credentials.keys.token' is required unless a certificate and private key are given");
    const certOnly = { certificate: (sampleKeys('k8s', 'q') as any).certificate };
    const k8sHalf = await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'k', provider: 'k8s', keys: certOnly } } });
    expect(k8sHalf.status).toBe(400);
    expect(k8sHalf.body.message).toMatch(/credentials\.keys\.privateKey' must be given together/);
    const awsBase = await call('POST', '/credentials', { token: me.token, json: { credentials: { ...sampleCredentials('aws', 'q').credentials, baseUrl: 'https://x' } } });
    expect(awsBase.body.message).toMatch(/credentials\.baseUrl' applies only to git providers/);
    const agent = { name: 'agent', provider: 'tw-agent', keys: { connectionId: crypto.randomUUID(), shared: true } };
    const personalShared = await call('POST', '/credentials', { token: me.token, json: { credentials: agent } });
    expect(personalShared.status).toBe(400);
    expect(personalShared.body.message).toMatch(/'credentials\.keys\.shared' applies only to organization workspaces/);
    const orgShared = await call('POST', `/credentials${ws(workspaceId)}`, { token: me.token, json: { credentials: agent } });
    expect(orgShared.status).toBe(200);
    expect((await call('GET', `/credentials/${orgShared.body.credentialsId}${ws(workspaceId)}`, { token: me.token })).body.credentials.keys.shared).toBe(true);
    const change = await call('PUT', `/credentials/${orgShared.body.credentialsId}${ws(workspaceId)}`, { token: me.token, json: sampleCredentials('github', 'q', 'agent') });
    expect(change.status).toBe(400);
    expect(change.body.message).toMatch(/cannot change from 'tw-agent' to 'github'/);
    const badJson = await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'g', provider: 'google', keys: { data: '{"type":"user"}' } } } });
    expect(badJson.body.message).toMatch(/credentials\.keys\.data' must be a service account key file/);
    const badReg = await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'r', provider: 'container-reg', keys: { userName: 'u', password: 'p', registry: 'not a host!' } } } });
    expect(badReg.body.message).toMatch(/credentials\.keys\.registry' must be a registry host/);
    const emptyReg = await call('POST', credentialsPath(undefined, 'container-reg'), { token: me.token, json: { credentials: { name: 'r', provider: 'container-reg', keys: { userName: 'u', password: 'p' } } } });
    expect((await call('GET', `/credentials/${emptyReg.body.credentialsId}`, { token: me.token })).body.credentials.keys.registry).toBe('docker.io');
  });
});

describe('credentials expiry', () => {
  it('keeps when credentials expire (a public field), clears it on request, and says which format it takes', async () => {
    const me = await seedUser();
    const body = (expiresAt?: unknown) => ({ credentials: { name: 'hub', provider: 'github', ...(expiresAt === undefined ? {} : { expiresAt }), keys: { username: 'u', password: 'p' } } });
    const made = await call('POST', '/credentials', { token: me.token, json: body('2027-03-31') });
    expect(made.status, made.text).toBe(200);
    const get = async () => (await call('GET', `/credentials/${made.body.credentialsId}`, { token: me.token })).body.credentials;
    expect((await get()).expiresAt).toBe('2027-03-31T23:59:59Z');
    expect((await call('PUT', `/credentials/${made.body.credentialsId}`, { token: me.token, json: body('2027-01-15T12:00:00+01:00') })).status).toBe(204);
    expect((await get()).expiresAt).toBe('2027-01-15T11:00:00Z');
    expect((await call('PUT', `/credentials/${made.body.credentialsId}`, { token: me.token, json: body(null) })).status).toBe(204);
    expect(await get()).not.toHaveProperty('expiresAt');
    const bad = await call('POST', '/credentials', { token: me.token, json: { ...body('next tuesday'), credentials: { ...body('next tuesday').credentials, name: 'hub2' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("Field 'credentials.expiresAt' must be a date such as 2027-03-31, or an ISO-8601 date-time with a time zone");
  });
});
