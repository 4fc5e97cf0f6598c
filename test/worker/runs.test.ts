import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import completedEvent from '../fixtures/weblog/completed.json';
import errorEvent from '../fixtures/weblog/error.json';
import processCompletedEvent from '../fixtures/weblog/process_completed.json';
import startedEvent from '../fixtures/weblog/started.json';
import { launchRun, relaySettings, sweepRuns } from '../../worker/src/runs';
import { keyringFor } from '../../worker/src/vault';
import worker from '../../worker/src/index';
import { type AwsAccount, accountsLeftEmpty, addSecrets, approveAccount, awsCredentials, injectFaults, newAwsAccount, pathOf, setDelay, standIn } from './aws';
import { call, type Person, seedOrgWorkspace, seedUser, ws } from './helpers';
import { RUN_TOKEN_KEY_TEST } from './keys';

/** Every account a test touched must hold no secret when the test ends: nothing outlives its run. */
const account = accountsLeftEmpty();

async function setup(secretCount: number, role: string = 'owner') {
  const owner = await seedUser('owner');
  const member = role === 'owner' ? owner : await seedUser(role);
  const { workspaceId } = await seedOrgWorkspace(role === 'owner' ? [[owner, 'owner']] : [[owner, 'owner'], [member, role]]);
  const aws = await account();
  const credentialsId = await awsCredentials(owner, aws, workspaceId);
  await addSecrets(owner, secretCount, workspaceId);
  return { owner, member, workspaceId, aws, credentialsId };
}

const launch = (who: Person, workspaceId: string, body: Record<string, unknown>) => call('POST', `/runs${ws(workspaceId)}`, { token: who.token, json: body });
const weblog = (url: string, event: unknown) => call('POST', pathOf(url), { json: event });

describe('run secrets relay', () => {
  it.each([1, 20, 200])('launches %i secrets into Secrets Manager, 6 at a time, and deletes them on the completed event', async (n) => {
    const { owner, workspaceId, aws, credentialsId } = await setup(n);
    await setDelay(aws, 15); // with some latency, concurrency shows: at most 6 requests in flight
    const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', runName: 'rnaseq' });
    expect(res.status, res.text).toBe(200);
    const { run, completionUrl, nextflow, subrequests } = res.body;
    expect(run).toMatchObject({ state: 'launched', region: 'eu-west-1', runName: 'rnaseq', cleanedAt: null, launchedBy: owner.id });
    expect(run.secrets).toHaveLength(n);
    // The first launch with these credentials learns their account (STS GetCallerIdentity) before any create.
    expect(subrequests).toEqual({ ceiling: 1000, planned: n + 1, reservedForRollback: n, used: n + 1 });
    const state = await standIn(aws);
    expect(state.rejected).toBe(0);
    expect(state.calls.GetCallerIdentity).toBe(1);
    expect(state.calls.CreateSecret).toBe(n);
    expect(state.maxInFlight).toBeLessThanOrEqual(6);
    if (n >= 20) expect(state.maxInFlight).toBe(6);
    expect(state.secrets).toHaveLength(n);
    const first = state.secrets.find((s) => s.name === `latchkey/${run.id}/SECRET_000`)!;
    expect(first).toMatchObject({ value: 'value-0', tags: { 'latchkey:run': run.id, 'latchkey:workspace': workspaceId, 'latchkey:secret': 'SECRET_000' } });
    expect(first.clientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(run.secrets[0]).toMatchObject({ name: 'SECRET_000', source: 'workspace', awsName: first.name, arn: first.arn, state: 'created', lastError: null });
    expect(res.text).not.toContain('value-0');
    expect(completionUrl).toMatch(new RegExp(`^https://latchkey\\.test/weblog/${run.id}\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    // The kit posts to the run's weblog URL with the token as Basic auth, never in the URL Nextflow logs.
    const token = new URL(completionUrl).searchParams.get('token')!;
    expect(nextflow.config).toContain(`url = 'https://latchkey.test/weblog/${run.id}'`);
    expect(nextflow.config).toContain(`basicToken = 'run:${token}'`);
    expect(nextflow.weblogOption).toBe(`-with-weblog '${completionUrl}'`);
    expect(nextflow.headScript).toContain(`secretsmanager get-secret-value --region 'eu-west-1' --secret-id '${first.arn}' --query "{name: 'SECRET_000', value: SecretString}" --output json`);
    expect(nextflow.headScript).not.toContain('nextflow secrets set');
    expect(nextflow.taskScript).toContain(`SECRET_000) __lk_id='${first.arn}' ;;`);
    expect(nextflow.env).toMatchObject({ NXF_SECRETS_FILE: `$HOME/.nextflow/latchkey/${run.id}/store.json`, AWS_REGION: 'eu-west-1' });
    expect(run.secrets[0]).toMatchObject({ version: 1, deliveredAt: expect.stringMatching(/^\d{4}-/), deletedAt: null });

    const started = await weblog(completionUrl, startedEvent);
    expect(started.body).toEqual({ event: 'started', handled: true, state: 'running', secretsLeft: n });
    const progress = await weblog(completionUrl, processCompletedEvent);
    expect(progress.body).toMatchObject({ event: 'process_completed', handled: false, state: 'running' });
    const done = await weblog(completionUrl, completedEvent);
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ event: 'completed', handled: true, state: 'succeeded', secretsLeft: 0 });
    expect((await standIn(aws)).secrets).toEqual([]);
    const after = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(after).toMatchObject({ state: 'succeeded', nextflowRunName: 'serene_babbage' });
    expect(after.cleanedAt).not.toBeNull();
    expect(after.secrets.every((s: any) => s.state === 'deleted')).toBe(true);
  });

  it('ends a run as failed on the error event, and treats duplicates, replays and late events as harmless', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(3);
    const { completionUrl, run } = (await launch(owner, workspaceId, { credentialsId, region: 'us-east-1' })).body;
    expect((await weblog(completionUrl, errorEvent)).body).toEqual({ event: 'error', handled: true, state: 'failed', secretsLeft: 0 });
    const deletes = (await standIn(aws)).calls.DeleteSecret;
    expect(deletes).toBe(3);
    // Nextflow follows error with completed (success false); replays and a late started change nothing.
    for (const e of [completedEvent, errorEvent, { ...completedEvent, metadata: { workflow: { success: true } } }, startedEvent]) {
      const res = await weblog(completionUrl, e);
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('failed');
      expect(res.body.secretsLeft).toBe(0);
    }
    expect((await standIn(aws)).calls.DeleteSecret).toBe(deletes);
    const r = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(r.state).toBe('failed');
    expect(r.startedAt).toBeNull();
  });

  it('refuses forged, expired, other-run and missing tokens with 401, changing nothing', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(2);
    const a = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body;
    const b = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body;
    const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
    const key = new TextEncoder().encode(RUN_TOKEN_KEY_TEST);
    const expired = await new SignJWT({ scope: 'run:complete' })
      .setProtectedHeader({ alg: 'HS256' }).setIssuer('latchkey').setAudience('latchkey:run-completion').setSubject(a.run.id)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(key);
    const wrongKey = await new SignJWT({ scope: 'run:complete' })
      .setProtectedHeader({ alg: 'HS256' }).setIssuer('latchkey').setAudience('latchkey:run-completion').setSubject(a.run.id)
      .setExpirationTime('1h').sign(new TextEncoder().encode('another-key-that-is-long-enough-000000'));
    const tampered = tokenOf(a.completionUrl).slice(0, -3) + 'AAA';
    const cases: Array<[string, RegExp]> = [
      [`/weblog/${a.run.id}?token=${tokenOf(b.completionUrl)}`, /belongs to another run/],
      [`/weblog/${a.run.id}?token=${expired}`, /has expired/],
      [`/weblog/${a.run.id}?token=${wrongKey}`, /not valid/],
      [`/weblog/${a.run.id}?token=${tampered}`, /not valid/],
      [`/weblog/${a.run.id}`, /no 'token' query parameter/],
      [`/weblog/${a.run.id}?token=not-a-jwt`, /not valid/],
    ];
    for (const [path, message] of cases) {
      const res = await call('POST', path, { json: completedEvent });
      expect(res.status, path).toBe(401);
      expect(res.body.message).toMatch(message);
      // Even a malformed body is refused for the token first.
      expect((await call('POST', path, { raw: '{bad' })).status).toBe(401);
    }
    expect((await standIn(aws)).secrets).toHaveLength(4);
    for (const r of [a, b]) expect((await weblog(r.completionUrl, completedEvent)).body.secretsLeft).toBe(0);
  });

  it('retries throttling and 5xx on create, and still lands every secret once', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(8);
    await injectFaults(aws, [
      { op: 'CreateSecret', times: 2, type: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
      { op: 'CreateSecret', times: 1, type: 'InternalServiceError', status: 500, message: 'try again' },
    ]);
    const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.subrequests.used).toBe(12); // 8 creates, 3 retries, 1 GetCallerIdentity
    expect((await standIn(aws)).secrets).toHaveLength(8);
    await weblog(res.body.completionUrl, completedEvent);
  });

  it('rolls back on a create that fails for good: 502 naming the secret and the AWS error, nothing left', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(20);
    await injectFaults(aws, [{ op: 'CreateSecret', name: 'SECRET_013', times: 1, type: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform: secretsmanager:CreateSecret' }]);
    const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' });
    expect(res.status).toBe(502);
    expect(res.body.message).toBe(
      "Could not create secret 'SECRET_013' in AWS Secrets Manager (eu-west-1): AccessDeniedException: User is not authorized to perform: secretsmanager:CreateSecret. The secrets already created for this run were deleted again.",
    );
    expect((await standIn(aws)).secrets).toEqual([]);
    const [run] = (await call('GET', `/runs${ws(workspaceId)}`, { token: owner.token })).body.runs;
    expect(run.state).toBe('launch_failed');
    expect(run.cleanedAt).not.toBeNull();
    expect(run.secrets.find((s: any) => s.name === 'SECRET_013')).toMatchObject({ state: 'not_created', lastError: expect.stringContaining('AccessDeniedException') });
    expect(run.secrets.filter((s: any) => s.state === 'deleted').length).toBeGreaterThan(0);
    expect(run.secrets.every((s: any) => s.state === 'deleted' || s.state === 'not_created')).toBe(true);
  });

  it('rolls back a create whose outcome is unknown (persistent 500s) by deleting it too', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(4);
    await injectFaults(aws, [{ op: 'CreateSecret', name: 'SECRET_002', times: 3, type: 'InternalServiceError', status: 500, message: 'internal' }]);
    const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' });
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/'SECRET_002'.*InternalServiceError: internal\. The secrets already created for this run were deleted again\./);
  });

  it('leaves failed deletions to the sweeper (the cron handler), which finishes the job', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(6);
    const { completionUrl, run } = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body;
    await injectFaults(aws, [{ op: 'DeleteSecret', name: 'SECRET_004', times: 5, type: 'InternalServiceError', status: 500, message: 'internal' }]);
    const done = await weblog(completionUrl, completedEvent);
    expect(done.body).toEqual({ event: 'completed', handled: true, state: 'succeeded', secretsLeft: 1 });
    const mid = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(mid.cleanedAt).toBeNull();
    expect(mid.secrets.find((s: any) => s.name === 'SECRET_004')).toMatchObject({ state: 'failed', lastError: 'DeleteSecret: InternalServiceError: internal' });
    expect((await standIn(aws)).secrets.map((s) => s.name)).toEqual([`latchkey/${run.id}/SECRET_004`]);
    // A checked delete (Seqera's ?checked=true) is refused while a run still has secrets in AWS with them, naming it.
    const del = await call('DELETE', `/credentials/${credentialsId}${ws(workspaceId)}&checked=true`, { token: owner.token });
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ credentialsId, conflicts: [{ id: run.id, type: 'run', url: expect.stringContaining(`/runs/${run.id}`) }] });
    expect(del.body.message).toMatch(/still needed: 1 run\(s\) have secrets in AWS relayed with them/);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/10 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const after = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(after.cleanedAt).not.toBeNull();
    expect(after.secrets.every((s: any) => s.state === 'deleted')).toBe(true);
    expect((await call('DELETE', `/credentials/${credentialsId}${ws(workspaceId)}`, { token: owner.token })).status).toBe(204);
  });

  it('sweeps runs that outlived their time-to-live and launches that died half-way', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(3);
    const forgotten = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', ttlHours: 1 })).body.run;
    const crashed = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body.run;
    const fresh = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body;
    // Make the second look like a launch that died after creating its secrets, before recording them.
    await env.DB.batch([
      env.DB.prepare("UPDATE runs SET state = 'launching', created_at = '2026-01-01T00:00:00Z' WHERE id = ?").bind(crashed.id),
      env.DB.prepare("UPDATE run_secrets SET state = 'pending', arn = NULL WHERE run_id = ?").bind(crashed.id),
    ]);
    expect((await standIn(aws)).secrets).toHaveLength(9);
    const report = await sweepRuns(env.DB, await keyringFor(env.VAULT_KEYS), relaySettings(env), new Date(Date.now() + 2 * 3600_000));
    expect(report, JSON.stringify(await env.DB.prepare('SELECT id, state, expires_at, created_at, cleaned_at FROM runs').all())).toEqual({ runs: 2, cleaned: 2, secretsLeft: 0, deferred: 0, abandoned: 0 });
    const names = (await standIn(aws)).secrets.map((s) => s.name);
    expect(names).toHaveLength(3);
    expect(names.every((n) => n.includes(fresh.run.id))).toBe(true);
    const f = (await call('GET', `/runs/${forgotten.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(f.lastError).toMatch(/No completion was reported before .*time-to-live/);
    const c = (await call('GET', `/runs/${crashed.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(c).toMatchObject({ state: 'launch_failed', lastError: 'The launch did not finish; its secrets were deleted' });
    // A late completion of the swept run is still harmless.
    expect((await weblog(fresh.completionUrl, completedEvent)).body.secretsLeft).toBe(0);
  });

  it("honours the credentials' assumeRoleArn through STS, and reports a refused role", async () => {
    const owner = await seedUser();
    const aws = await account();
    const roleArn = `arn:aws:iam::${aws.accountId}:role/NextflowSecrets`;
    const credentialsId = await awsCredentials(owner, aws, undefined, { assumeRoleArn: roleArn });
    await addSecrets(owner, 2);
    const res = await launch(owner, owner.personalWorkspaceId, { credentialsId, region: 'eu-west-1' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.subrequests).toMatchObject({ planned: 3, used: 3 });
    const state = await standIn(aws);
    expect(state.assumedRoles).toEqual([roleArn]);
    expect(state.secrets).toHaveLength(2);
    expect((await weblog(res.body.completionUrl, completedEvent)).body.secretsLeft).toBe(0);
    expect((await standIn(aws)).assumedRoles).toHaveLength(2);

    // A role in an account the owner has not approved is refused before STS is even asked.
    const denied = await awsCredentials(owner, aws, undefined, { assumeRoleArn: 'arn:aws:iam::999999999999:role/Elsewhere' });
    const unapproved = await launch(owner, owner.personalWorkspaceId, { credentialsId: denied, region: 'eu-west-1' });
    expect(unapproved.status).toBe(403);
    expect(unapproved.body.message).toMatch(/^AWS account 999999999999 \(reached through role arn:aws:iam::999999999999:role\/Elsewhere\) is not an approved relay target/);
    expect((await standIn(aws)).assumedRoles).toHaveLength(2);
    await approveAccount(owner, '999999999999');
    const refused = await launch(owner, owner.personalWorkspaceId, { credentialsId: denied, region: 'eu-west-1' });
    expect(refused.status).toBe(502);
    expect(refused.body.message).toBe(
      `Could not assume the credentials' role: AccessDenied: User: arn:aws:iam::${aws.accountId}:user/latchkey-relay is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::999999999999:role/Elsewhere. No secret was created`,
    );
  });

  it('relays user secrets over workspace secrets of the same name, and only the ones named', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(3);
    await call('POST', '/pipeline-secrets', { token: owner.token, json: { name: 'SECRET_001', value: 'my own value' } });
    const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', secrets: ['SECRET_001', 'SECRET_002'], secretsPrefix: 'latchkey/nf/' });
    expect(res.status, res.text).toBe(200);
    const state = await standIn(aws);
    expect(state.secrets.map((s) => [s.name, s.value]).sort()).toEqual([
      [`latchkey/nf/${res.body.run.id}/SECRET_001`, 'my own value'],
      [`latchkey/nf/${res.body.run.id}/SECRET_002`, 'value-2'],
    ]);
    expect(res.body.run.secrets.map((s: any) => s.source)).toEqual(['user', 'workspace']);
    const creds = (await call('GET', `/credentials/${credentialsId}${ws(workspaceId)}`, { token: owner.token })).body.credentials;
    expect(creds.lastUsed).not.toBeNull();
    const complete = await call('POST', `/runs/${res.body.run.id}/complete${ws(workspaceId)}`, { token: owner.token, json: { success: false } });
    expect(complete.status).toBe(200);
    expect(complete.body.run).toMatchObject({ state: 'failed' });
  });

  it('refuses bad launches with a 400 naming the field, before any AWS call', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(2);
    const github = (await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: { credentials: { name: 'gh', provider: 'github', keys: { username: 'u', password: 'p' } } } })).body.credentialsId;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ credentialsId, region: 'mars-1' }, "Field 'region' must be an AWS region such as eu-west-1"],
      [{ credentialsId: 'nope', region: 'eu-west-1' }, "Field 'credentialsId' names no credentials in this workspace ('nope')"],
      [{ credentialsId: github, region: 'eu-west-1' }, "Field 'credentialsId' names 'gh', which are github credentials; a launch needs aws credentials"],
      [{ credentialsId, region: 'eu-west-1', secrets: ['NOPE'] }, "Field 'secrets' names 'NOPE', which is neither a workspace secret nor one of your user secrets"],
      [{ credentialsId, region: 'eu-west-1', secrets: [] }, "Field 'secrets' selects no pipeline secrets"],
      [{ credentialsId, region: 'eu-west-1', ttlHours: 0 }, "Field 'ttlHours' must be at least 1"],
      [{ credentialsId, region: 'eu-west-1', secretsPrefix: 'bad prefix' }, "Field 'secretsPrefix' must be at most 200 characters of letters"],
    ];
    for (const [body, message] of cases) {
      const res = await launch(owner, workspaceId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toContain(message);
    }
    expect((await standIn(aws)).calls).toEqual({});
    // Refused before anything is written: no run was recorded for any of them.
    expect((await call('GET', `/runs${ws(workspaceId)}`, { token: owner.token })).body.runs).toEqual([]);
  });

  it('signs every AWS call: wrong keys are refused by the stand-in’s SigV4 check and reported as AWS says', async () => {
    const owner = await seedUser();
    const aws = await account();
    const wrong = await awsCredentials(owner, { ...aws, secretAccessKey: `${aws.secretAccessKey.slice(0, -4)}XXXX` });
    await addSecrets(owner, 3);
    const res = await launch(owner, owner.personalWorkspaceId, { credentialsId: wrong, region: 'eu-west-1' });
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/InvalidSignatureException: The request signature we calculated does not match the signature you provided/);
    const state = await standIn(aws);
    expect(state.rejected).toBeGreaterThanOrEqual(1);
    expect(state.secrets).toEqual([]);
  });

  it('states the subrequests a launch needs and refuses one over the ceiling', async () => {
    const { owner, workspaceId, aws, credentialsId } = await setup(6);
    const caller = { userId: owner.id, personalWorkspaceId: owner.personalWorkspaceId, actor: { kind: 'user' as const, id: owner.id, ip: null, userAgent: null } };
    const wsAccess = { id: workspaceId, kind: 'organization' as const, orgId: null, name: 'pipelines', role: 'owner' as const };
    const keyring = await keyringFor(env.VAULT_KEYS);
    await expect(launchRun(env.DB, keyring, { ...relaySettings(env), ceiling: 11 }, caller, wsAccess, { credentialsId, region: 'eu-west-1' }, 'https://x')).rejects.toThrow(
      "Field 'secrets' selects 6 secrets; launching them needs up to 13 AWS calls (7 to create and learn the account, 6 to roll back if one fails) but this worker may make 11 per request (MAX_SUBREQUESTS)",
    );
    const ok = await launchRun(env.DB, keyring, { ...relaySettings(env), ceiling: 13 }, caller, wsAccess, { credentialsId, region: 'eu-west-1' }, 'https://x');
    expect(ok.subrequests).toEqual({ ceiling: 13, planned: 7, reservedForRollback: 6, used: 7 });
    // The account is known now (cached for this version of the keys): the next launch needs one call less.
    await expect(launchRun(env.DB, keyring, { ...relaySettings(env), ceiling: 11 }, caller, wsAccess, { credentialsId, region: 'eu-west-1' }, 'https://x')).rejects.toThrow(
      "Field 'secrets' selects 6 secrets; launching them needs up to 12 AWS calls (6 to create, 6 to roll back if one fails) but this worker may make 11 per request (MAX_SUBREQUESTS)",
    );
    expect((await standIn(aws)).secrets).toHaveLength(6);
    await weblog(ok.completionUrl.replace('https://x', 'https://latchkey.test'), completedEvent);
  });

  it('lets launch and above launch; view and connect are refused; outsiders see nothing', async () => {
    for (const role of ['launch', 'maintain', 'connect', 'view']) {
      const { owner, member, workspaceId, credentialsId } = await setup(1, role);
      const res = await launch(member, workspaceId, { credentialsId, region: 'eu-west-1' });
      if (role === 'launch' || role === 'maintain') {
        expect(res.status, res.text).toBe(200);
        expect((await call('POST', `/runs/${res.body.run.id}/complete${ws(workspaceId)}`, { token: member.token, json: {} })).body.run.state).toBe('succeeded');
      } else {
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(new RegExp(`is '${role}'; launching runs with runs needs one of: owner, admin, maintain, launch`));
        expect((await call('GET', `/runs${ws(workspaceId)}`, { token: member.token })).status).toBe(200);
      }
      const outsider = await seedUser();
      expect((await launch(outsider, workspaceId, { credentialsId, region: 'eu-west-1' })).status).toBe(404);
      expect((await call('GET', `/runs${ws(workspaceId)}`, { token: outsider.token })).status).toBe(404);
      void owner;
    }
  });
});
