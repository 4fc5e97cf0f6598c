import { describe, expect, it } from 'vitest';
import { ROLES } from '../../shared/roles';
import { sampleCredentials } from '../fixtures/credentials';
import { call, seedOrgWorkspace, seedUser, ws } from './helpers';

describe('roles in an organization workspace', () => {
  it.each(ROLES)('%s: reads with any role; changes only as owner or admin', async (role) => {
    const owner = await seedUser('owner');
    const member = await seedUser(role);
    const { workspaceId } = await seedOrgWorkspace([[owner, 'owner'], [member, role]]);
    const q = ws(workspaceId);
    const credId = (await call('POST', `/credentials${q}`, { token: owner.token, json: sampleCredentials('aws', 'r') })).body.credentialsId;
    const secretId = (await call('POST', `/pipeline-secrets${q}`, { token: owner.token, json: { name: 'SS', value: 'v' } })).body.secretId;
    const canManage = role === 'owner' || role === 'admin';
    const t = member.token;

    expect((await call('GET', `/credentials${q}`, { token: t })).status).toBe(200);
    expect((await call('GET', `/credentials/${credId}${q}`, { token: t })).status).toBe(200);
    expect((await call('GET', `/pipeline-secrets${q}`, { token: t })).status).toBe(200);
    expect((await call('GET', `/pipeline-secrets/${secretId}${q}`, { token: t })).status).toBe(200);

    const writes = [
      await call('POST', `/credentials${q}`, { token: t, json: sampleCredentials('github', 'r') }),
      await call('PUT', `/credentials/${credId}${q}`, { token: t, json: sampleCredentials('aws', 'r2') }),
      await call('POST', `/pipeline-secrets${q}`, { token: t, json: { name: 'TT', value: 'v' } }),
      await call('PUT', `/pipeline-secrets/${secretId}${q}`, { token: t, json: { value: 'v2' } }),
      await call('GET', `/audit${q}`, { token: t }),
    ];
    const allowed = [200, 204, 200, 204, 200];
    for (const [i, w] of writes.entries()) {
      expect(w.status, w.text).toBe(canManage ? allowed[i] : 403);
      if (!canManage) expect(w.body.message).toMatch(new RegExp(`Your role in workspace 'pipelines' is '${role}'; .* needs one of: owner, admin$`));
    }
    const deletes = [await call('DELETE', `/pipeline-secrets/${secretId}${q}`, { token: t }), await call('DELETE', `/credentials/${credId}${q}`, { token: t })];
    for (const d of deletes) expect(d.status).toBe(canManage ? 204 : 403);
    // Every member manages their own user secrets and personal credentials, whatever their workspace role.
    expect((await call('POST', '/pipeline-secrets', { token: t, json: { name: 'MINE', value: 'v' } })).status).toBe(200);
    expect((await call('POST', '/credentials', { token: t, json: sampleCredentials('ssh', 'r') })).status).toBe(200);
  });

  it('answers 404, not 403, for workspaces and records the caller cannot see', async () => {
    const insider = await seedUser();
    const outsider = await seedUser();
    const { workspaceId } = await seedOrgWorkspace([[insider, 'owner']]);
    const q = ws(workspaceId);
    const credId = (await call('POST', `/credentials${q}`, { token: insider.token, json: sampleCredentials('aws', 'x') })).body.credentialsId;
    const personalCred = (await call('POST', '/credentials', { token: insider.token, json: sampleCredentials('aws', 'x') })).body.credentialsId;
    for (const [method, path] of [
      ['GET', `/credentials${q}`],
      ['GET', `/credentials/${credId}${q}`],
      ['PUT', `/credentials/${credId}${q}`],
      ['DELETE', `/credentials/${credId}${q}`],
      ['GET', `/pipeline-secrets${q}`],
      ['POST', `/pipeline-secrets${q}`],
      ['GET', `/credentials/validate?name=x&workspaceId=${workspaceId}`],
      ['GET', `/credentials${ws(insider.personalWorkspaceId)}`],
      ['GET', `/audit${ws(insider.personalWorkspaceId)}`],
      ['GET', `/credentials/${personalCred}`],
    ] as const) {
      const body = method === 'PUT' ? sampleCredentials('aws', 'x') : method === 'POST' ? { name: 'XX', value: 'v' } : undefined;
      const res = await call(method, path, { token: outsider.token, json: body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await call('GET', '/workspaces', { token: outsider.token });
    expect(list.body.workspaces.map((w: any) => w.id)).toEqual([outsider.personalWorkspaceId]);
  });
});
