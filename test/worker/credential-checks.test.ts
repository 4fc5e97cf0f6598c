/**
 * Seqera's credential checks and health (POST /credentials/{id}/validate; status, lastValidated, message) and its
 * delete with and without `checked`, against the local STS / Secrets Manager stand-in and test registry.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { QUAY_ROBOT } from '../fixtures/registry-logins';
import { type AwsAccount, addSecrets, awsCredentials, newAwsAccount, pathOf, standIn } from './aws';
import { call, seedOrgWorkspace, seedUser, ws } from './helpers';

const touched: AwsAccount[] = [];
async function account() {
  const a = await newAwsAccount();
  touched.push(a);
  return a;
}
afterEach(async () => {
  for (const a of touched.splice(0)) expect((await standIn(a)).secrets.map((s) => s.name), `secrets left in account ${a.accountId}`).toEqual([]);
});

const validate = (token: string, id: string, workspaceId?: string, extra = '') =>
  call('POST', `/credentials/${id}/validate${ws(workspaceId)}${extra}`, { token });

describe('credential checks', () => {
  it('aws: AVAILABLE when STS knows the keys; INVALID with AWS’s reason when not, and a launch with them says so', async () => {
    const owner = await seedUser('owner');
    const aws = await account();
    const good = await awsCredentials(owner, aws);
    const ok = await validate(owner.token, good);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ status: 'AVAILABLE', message: null, transientError: false });
    const described = (await call('GET', `/credentials/${good}`, { token: owner.token })).body.credentials;
    expect(described).toMatchObject({ status: 'AVAILABLE', lastValidated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(described).not.toHaveProperty('message');

    const wrong = await awsCredentials(owner, { ...aws, secretAccessKey: `${aws.secretAccessKey.slice(0, -4)}XXXX` });
    const bad = await validate(owner.token, wrong);
    expect(bad.body).toMatchObject({ status: 'INVALID', transientError: false, message: expect.stringMatching(/^AWS refused these keys \(STS GetCallerIdentity\): \w+/) });
    expect(bad.text).not.toContain(aws.secretAccessKey.slice(0, -4));
    const listed = (await call('GET', '/credentials?platformId=aws-batch', { token: owner.token })).body.credentials;
    expect(listed.find((c: any) => c.id === wrong)).toMatchObject({ status: 'INVALID', message: bad.body.message });
    await addSecrets(owner, 1);
    const launch = await call('POST', '/runs', { token: owner.token, json: { credentialsId: wrong, region: 'eu-west-1' } });
    expect(launch.status).toBe(400);
    expect(launch.body.message).toMatch(/^Field 'credentialsId' names 'aws-\d+-\d+', which are INVALID: AWS refused these keys/);

    // force turns INVALID back to AVAILABLE without a check, and only INVALID ones.
    expect((await validate(owner.token, wrong, undefined, '?force=true')).body).toEqual({ status: 'AVAILABLE', message: null, transientError: false });
    const again = await validate(owner.token, good, undefined, '?force=true');
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/are AVAILABLE; force only turns INVALID credentials AVAILABLE/);

    const events = (await call('GET', '/audit', { token: owner.token })).body.events.filter((e: any) => e.action === 'credentials.validate');
    expect(events.map((e: any) => e.detail.outcome).sort()).toEqual(['available', 'forced available', 'invalid']);
  });

  it('container-reg: logs in to the registry as on save; a refused login is INVALID with the registry’s words', async () => {
    const owner = await seedUser('owner');
    const made = await call('POST', '/credentials', {
      token: owner.token,
      json: { credentials: { name: 'reg', provider: 'container-reg', keys: { userName: QUAY_ROBOT.userName, password: QUAY_ROBOT.token, registry: env.TEST_REGISTRY_BASIC } } },
    });
    expect(made.status, made.text).toBe(200);
    expect((await validate(owner.token, made.body.credentialsId)).body).toEqual({ status: 'AVAILABLE', message: null, transientError: false });
    const changed = await call('PUT', `/credentials/${made.body.credentialsId}?skipRegistryCheck=true`, {
      token: owner.token,
      json: { credentials: { name: 'reg', provider: 'container-reg', keys: { userName: QUAY_ROBOT.userName, password: 'wrong-token', registry: env.TEST_REGISTRY_BASIC } } },
    });
    expect(changed.status, changed.text).toBe(204);
    const refused = await validate(owner.token, made.body.credentialsId);
    expect(refused.body).toMatchObject({ status: 'INVALID', transientError: false, message: expect.stringMatching(/^Invalid credentials for container registry/) });
  });

  it('other providers: well-formedness; view members cannot check; checks are rate-limited', async () => {
    const owner = await seedUser('owner');
    const viewer = await seedUser('view');
    const { workspaceId } = await seedOrgWorkspace([[owner, 'owner'], [viewer, 'view']]);
    const made = await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: { credentials: { name: 'gh', provider: 'github', keys: { username: 'u', token: 'ghp_x' } } } });
    expect(made.status, made.text).toBe(200);
    const id = made.body.credentialsId;
    expect((await validate(viewer.token, id, workspaceId)).status).toBe(403);
    for (let i = 0; i < 5; i++) expect((await validate(owner.token, id, workspaceId)).body).toEqual({ status: 'AVAILABLE', message: null, transientError: false });
    const limited = await validate(owner.token, id, workspaceId);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('deleting credentials while runs have secrets in AWS', () => {
  it('checked=true answers 409 with the runs as conflicts; unchecked (tw) deletes, and the run still cleans up with its own copy', async () => {
    const owner = await seedUser('owner');
    const { workspaceId } = await seedOrgWorkspace([[owner, 'owner']]);
    const aws = await account();
    const credentialsId = await awsCredentials(owner, aws, workspaceId);
    await addSecrets(owner, 2, workspaceId);
    const launched = await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { credentialsId, region: 'eu-west-1' } });
    expect(launched.status, launched.text).toBe(200);
    const { run, completionUrl } = launched.body;

    const checked = await call('DELETE', `/credentials/${credentialsId}${ws(workspaceId)}&checked=true`, { token: owner.token });
    expect(checked.status).toBe(409);
    expect(checked.body).toEqual({
      message: expect.stringMatching(/still needed: 1 run\(s\) have secrets in AWS/),
      credentialsId,
      conflicts: [{ id: run.id, name: run.id, type: 'run', url: `/runs/${run.id}?workspaceId=${workspaceId}` }],
    });
    expect((await call('GET', `/credentials/${credentialsId}${ws(workspaceId)}`, { token: owner.token })).status).toBe(200);

    const unchecked = await call('DELETE', `/credentials/${credentialsId}${ws(workspaceId)}&checked=false`, { token: owner.token });
    expect(unchecked.status, unchecked.text).toBe(204);
    expect((await standIn(aws)).secrets).toHaveLength(2);
    // The run deletes its secrets with the keys it sealed at launch, though its credentials are gone.
    const done = await call('POST', pathOf(completionUrl), { json: { event: 'completed', runId: 'x', runName: 'x', metadata: { workflow: { success: true } } } });
    expect(done.body).toMatchObject({ handled: true, secretsLeft: 0 });
    expect((await standIn(aws)).secrets).toEqual([]);
  });
});
