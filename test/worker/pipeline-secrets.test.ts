import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { resolveRunSecrets } from '../../worker/src/secrets';
import { keyringFor } from '../../worker/src/vault';
import { call, seedOrgWorkspace, seedUser, ws } from './helpers';

describe('pipeline secrets API', () => {
  it('creates, lists, describes, updates and deletes; the value is write-only', async () => {
    const me = await seedUser();
    const created = await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'DB_PASSWORD', value: 'CANARY-s3cr3t-value' } });
    expect(created.status, created.text).toBe(200);
    const id = created.body.secretId;
    // Seqera's int64 id: a JSON number (Terraform decodes it as int64), below 2^53.
    expect(typeof id).toBe('number');
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(String(id)).toMatch(/^\d{15,16}$/);
    const list = await call('GET', '/pipeline-secrets', { token: me.token });
    expect(list.body).toMatchObject({ totalSize: 1, pipelineSecrets: [{ id, name: 'DB_PASSWORD' }] });
    expect(list.body.pipelineSecrets[0]).not.toHaveProperty('lastUsed');
    const one = await call('GET', `/pipeline-secrets/${id}`, { token: me.token });
    expect(Object.keys(one.body.pipelineSecret).sort()).toEqual(['dateCreated', 'id', 'lastUpdated', 'name']);
    expect(one.body.pipelineSecret.id).toBe(id);
    expect(list.text + one.text).not.toContain('CANARY');
    expect((await call('PUT', `/pipeline-secrets/${id}`, { token: me.token, json: { value: 'new value' } })).status).toBe(204);
    const [resolved] = await resolveRunSecrets(env.DB, await keyringFor(env.VAULT_KEYS), { workspaceId: me.personalWorkspaceId, personalWorkspaceId: me.personalWorkspaceId });
    expect(resolved).toMatchObject({ name: 'DB_PASSWORD', value: 'new value', source: 'user' });
    expect((await call('DELETE', `/pipeline-secrets/${id}`, { token: me.token })).status).toBe(204);
    expect((await call('GET', `/pipeline-secrets/${id}`, { token: me.token })).status).toBe(404);
    expect((await call('PUT', `/pipeline-secrets/${id}`, { token: me.token, json: { value: 'x' } })).status).toBe(404);
  });

  it('enforces Nextflow secret names, uniqueness and the AWS value size', async () => {
    const me = await seedUser();
    // Nextflow's rule counts segments, not characters: 'A' (none), 'A__B' and 'Z__Z' (a doubled '_') are refused.
    for (const name of ['1ABC', 'has-dash', 'spa ce', '', 'A'.repeat(101), 'A', 'A__B', 'Z__Z', `A${'_B'.repeat(25)}`]) {
      const res = await call('POST', '/pipeline-secrets', { token: me.token, json: { name, value: 'v' } });
      expect(res.status, name).toBe(400);
      expect(res.body.message).toMatch(/^Field 'name' /);
      if (name !== '' && name.length <= 100) expect(res.body.message, name).toContain("Nextflow's secret name rule ^[a-zA-Z_](?:[0-9A-Za-z]+|(_)(?!\\1)){1,49}$");
      expect((await call('GET', `/pipeline-secrets/validate?name=${encodeURIComponent(name)}`, { token: me.token })).status).toBe(400);
    }
    for (const name of ['_x', 'A1_b', 'A'.repeat(100), 'AB', 'A_B_C', `A${'_B'.repeat(24)}`]) expect((await call('POST', '/pipeline-secrets', { token: me.token, json: { name, value: 'v' } })).status).toBe(200);
    const dup = await call('POST', '/pipeline-secrets', { token: me.token, json: { name: '_x', value: 'v' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/'_x' already exists/);
    expect((await call('GET', '/pipeline-secrets/validate?name=_x', { token: me.token })).status).toBe(409);
    expect((await call('GET', '/pipeline-secrets/validate?name=_y', { token: me.token })).status).toBe(204);
    expect((await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'EE', value: 42 } })).body.message).toBe("Field 'value' must be a string");
    expect((await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'EE' } })).body.message).toBe("Field 'value' is required");
    const empty = await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'EE', value: '' } });
    expect(empty.body.message).toBe("Field 'value' must not be empty");
    const huge = await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'HH', value: 'é'.repeat(32_769) } });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(/larger than 65536 bytes/);
    expect((await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'HH', value: 'é'.repeat(32_768) } })).status).toBe(200);
  });

  it('resolves a run: user secrets override workspace secrets of the same name; other users are not involved', async () => {
    const me = await seedUser();
    const colleague = await seedUser();
    const { workspaceId } = await seedOrgWorkspace([[me, 'admin'], [colleague, 'launch']]);
    for (const [name, value] of [['TOKEN', 'workspace-token'], ['REGION', 'eu-west-1'], ['ONLY_WS', 'w']])
      expect((await call('POST', `/pipeline-secrets${ws(workspaceId)}`, { token: me.token, json: { name, value } })).status).toBe(200);
    await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'TOKEN', value: 'my-token' } });
    await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'MINE', value: 'mine' } });
    await call('POST', '/pipeline-secrets', { token: colleague.token, json: { name: 'TOKEN', value: 'their-token' } });
    const keyring = await keyringFor(env.VAULT_KEYS);
    const mine = await resolveRunSecrets(env.DB, keyring, { workspaceId, personalWorkspaceId: me.personalWorkspaceId });
    expect(mine.map((s) => [s.name, s.value, s.source])).toEqual([
      ['MINE', 'mine', 'user'],
      ['ONLY_WS', 'w', 'workspace'],
      ['REGION', 'eu-west-1', 'workspace'],
      ['TOKEN', 'my-token', 'user'],
    ]);
    const theirs = await resolveRunSecrets(env.DB, keyring, { workspaceId, personalWorkspaceId: colleague.personalWorkspaceId });
    expect(theirs.find((s) => s.name === 'TOKEN')?.value).toBe('their-token');
    expect(theirs.map((s) => s.name)).not.toContain('MINE');
    const chosen = await resolveRunSecrets(env.DB, keyring, { workspaceId, personalWorkspaceId: me.personalWorkspaceId }, ['TOKEN', 'REGION']);
    expect(chosen.map((s) => s.name)).toEqual(['REGION', 'TOKEN']);
    await expect(resolveRunSecrets(env.DB, keyring, { workspaceId, personalWorkspaceId: me.personalWorkspaceId }, ['TOKEN', 'NOPE'])).rejects.toThrow(
      /Field 'secrets' names 'NOPE', which is neither a workspace secret nor one of your user secrets/,
    );
  });

  it('refuses a secret whose ciphertext was swapped with another row', async () => {
    const me = await seedUser();
    const a = (await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'AA', value: 'alpha' } })).body.secretId;
    const b = (await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'BB', value: 'bravo' } })).body.secretId;
    const rowA = await env.DB.prepare('SELECT value_ct, value_iv, key_version FROM pipeline_secrets WHERE id = ?').bind(String(a)).first<any>();
    await env.DB.prepare('UPDATE pipeline_secrets SET value_ct = ?, value_iv = ?, key_version = ? WHERE id = ?').bind(rowA.value_ct, rowA.value_iv, rowA.key_version, String(b)).run();
    await expect(
      resolveRunSecrets(env.DB, await keyringFor(env.VAULT_KEYS), { workspaceId: me.personalWorkspaceId, personalWorkspaceId: me.personalWorkspaceId }, ['BB']),
    ).rejects.toThrow(/pipeline-secret .* failed its integrity check/);
  });

  it('keeps stored names that break the rule readable, usable and deletable (they predate it)', async () => {
    const me = await seedUser();
    const id = (await call('POST', '/pipeline-secrets', { token: me.token, json: { name: 'OLD_NAME', value: 'kept' } })).body.secretId;
    // A name stored before Nextflow's rule was enforced.
    await env.DB.prepare("UPDATE pipeline_secrets SET name = 'A__B' WHERE id = ?").bind(String(id)).run();
    const list = await call('GET', '/pipeline-secrets', { token: me.token });
    expect(list.body.pipelineSecrets).toEqual([expect.objectContaining({ id, name: 'A__B' })]);
    expect((await call('GET', `/pipeline-secrets/${id}`, { token: me.token })).body.pipelineSecret.name).toBe('A__B');
    expect((await call('PUT', `/pipeline-secrets/${id}`, { token: me.token, json: { value: 'new' } })).status).toBe(204);
    const [resolved] = await resolveRunSecrets(env.DB, await keyringFor(env.VAULT_KEYS), { workspaceId: me.personalWorkspaceId, personalWorkspaceId: me.personalWorkspaceId });
    expect(resolved).toMatchObject({ name: 'A__B', value: 'new' });
    expect((await call('DELETE', `/pipeline-secrets/${id}`, { token: me.token })).status).toBe(204);
  });
});
