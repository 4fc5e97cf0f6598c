import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createCredentials, loadCredentialsWithSecrets } from '../../worker/src/credentials';
import { resolveRunSecrets, createSecret } from '../../worker/src/secrets';
import { Keyring, keyringFor } from '../../worker/src/vault';
import { sampleCredentials } from '../fixtures/credentials';
import { admin, call, seedUser } from './helpers';
import { VAULT_KEYS_V1_ONLY } from './keys';

const actor = { kind: 'system' as const, id: null, ip: null, userAgent: null };

describe('key rotation', () => {
  it('re-seals rows under two key versions to the current key, serving throughout', async () => {
    const me = await seedUser();
    const ws = { id: me.personalWorkspaceId, kind: 'personal' as const, orgId: null, name: me.userName, role: 'owner' as const };
    const v1 = await Keyring.fromJson(VAULT_KEYS_V1_ONLY);
    // Rows an older deployment sealed under key 1…
    const oldIds: string[] = [];
    for (let i = 0; i < 7; i++) oldIds.push(await createCredentials(env.DB, v1, actor, ws, { ...sampleCredentials('aws', `old${i}`, `old-${i}`).credentials, provider: 'aws' }));
    for (let i = 0; i < 5; i++) await createSecret(env.DB, v1, actor, ws, { name: `OLD_${i}`, value: `old-value-${i}` });
    // …and rows the running worker (key 2 current) writes.
    const newId = (await call('POST', '/credentials', { token: me.token, json: sampleCredentials('github', 'new', 'new-1') })).body.credentialsId;
    await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'NEW_1', value: 'new-value' } });
    const versions = async () =>
      (await env.DB.prepare("SELECT key_version, COUNT(*) AS n FROM (SELECT key_version FROM credentials UNION ALL SELECT key_version FROM pipeline_secrets) GROUP BY key_version ORDER BY key_version").all()).results;
    expect(await versions()).toEqual([{ key_version: '1', n: 12 }, { key_version: '2', n: 2 }]);

    // Before rotation the worker still reads the old rows (an update keeping stored secrets opens key 1).
    const keep = await call('PUT', `/credentials/${oldIds[0]}`, { token: me.token, json: { credentials: { name: 'old-0', provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', assumeRoleArn: 'arn:aws:iam::123456789012:role/NextflowRunner' } } } });
    expect(keep.status, keep.text).toBe(204);

    // Rotate in small pages, as an operator would with a limit.
    const first = await admin('POST', '/vault/rotate?limit=4');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ currentKeyVersion: '2', resealed: 4, remaining: 7, failed: [] });
    let report = first.body;
    while (report.remaining > 0) report = (await admin('POST', '/vault/rotate?limit=4')).body;
    expect(report).toMatchObject({ remaining: 0, failed: [] });
    expect(await versions()).toEqual([{ key_version: '2', n: 14 }]);
    const again = await admin('POST', '/vault/rotate');
    expect(again.body).toEqual({ currentKeyVersion: '2', resealed: 0, alreadyCurrent: 14, remaining: 0, failed: [] });

    // Every value still opens with the current keyring, unchanged.
    const ring = await keyringFor(env.VAULT_KEYS);
    for (const [i, id] of oldIds.entries()) expect((await loadCredentialsWithSecrets(env.DB, ring, ws.id, id)).secrets).toEqual({ secretKey: `aws-old${i}` });
    expect((await loadCredentialsWithSecrets(env.DB, ring, ws.id, newId)).secrets).toEqual({ password: 'tok-new' });
    const secrets = await resolveRunSecrets(env.DB, ring, { workspaceId: ws.id, personalWorkspaceId: ws.id });
    expect(secrets.map((s) => [s.name, s.value])).toEqual([['NEW_1', 'new-value'], ...[0, 1, 2, 3, 4].map((i) => [`OLD_${i}`, `old-value-${i}`])]);
    // Key 1 is no longer needed: a keyring with key 2 alone opens everything.
    const onlyV2 = await Keyring.fromJson(JSON.stringify({ current: '2', keys: { 2: JSON.parse(env.VAULT_KEYS).keys['2'] } }));
    expect((await resolveRunSecrets(env.DB, onlyV2, { workspaceId: ws.id, personalWorkspaceId: ws.id })).length).toBe(6);
  });

  it('reports rows that fail to open instead of stopping, and leaves them untouched', async () => {
    const me = await seedUser();
    const ws = { id: me.personalWorkspaceId, kind: 'personal' as const, orgId: null, name: me.userName, role: 'owner' as const };
    const v1 = await Keyring.fromJson(VAULT_KEYS_V1_ONLY);
    const good = await createSecret(env.DB, v1, actor, ws, { name: 'GOOD', value: 'g' });
    const bad = await createSecret(env.DB, v1, actor, ws, { name: 'BAD', value: 'b' });
    await env.DB.prepare("UPDATE pipeline_secrets SET value_ct = 'AAAA' || substr(value_ct, 5) WHERE id = ?").bind(bad).run();
    const before = await env.DB.prepare('SELECT value_ct FROM pipeline_secrets WHERE id = ?').bind(bad).first();
    const res = await admin('POST', '/vault/rotate');
    expect(res.body.resealed).toBe(1);
    expect(res.body.failed).toEqual([{ kind: 'pipeline-secret', id: bad, workspaceId: ws.id, message: expect.stringMatching(/failed its integrity check/) }]);
    expect(await env.DB.prepare('SELECT value_ct FROM pipeline_secrets WHERE id = ?').bind(bad).first()).toEqual(before);
    expect((await env.DB.prepare('SELECT key_version FROM pipeline_secrets WHERE id = ?').bind(good).first())?.key_version).toBe('2');
  });

  it('answers an update of tampered credentials with what to do, and accepts a full replacement', async () => {
    const me = await seedUser();
    const id = (await call('POST', '/credentials', { token: me.token, json: sampleCredentials('aws', 'x') })).body.credentialsId;
    await env.DB.prepare("UPDATE credentials SET secret_ct = 'AAAA' || substr(secret_ct, 5) WHERE id = ?").bind(id).run();
    const keep = await call('PUT', `/credentials/${id}`, { token: me.token, json: { credentials: { name: 'aws-creds', provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE' } } } });
    expect(keep.status).toBe(409);
    expect(keep.body.message).toMatch(/failed its integrity check.*send 'credentials\.keys\.secretKey' to replace them/);
    const replace = await call('PUT', `/credentials/${id}`, { token: me.token, json: sampleCredentials('aws', 'fresh') });
    expect(replace.status).toBe(204);
    expect((await loadCredentialsWithSecrets(env.DB, await keyringFor(env.VAULT_KEYS), me.personalWorkspaceId, id)).secrets.secretKey).toBe('aws-fresh');
  });
});
