/**
 * The relay's safety: secrets go only to AWS accounts (and roles) the workspace's owners approved; each run records
 * where they went and deletes them there, whatever happens to its credentials later; completing someone else's run
 * needs maintain; the operator bounds prefix and time-to-live; the sweeper cannot be starved by runs that fail.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { relaySettings, retryDelayMs, sweepRuns } from '../../worker/src/runs';
import { keyringFor } from '../../worker/src/vault';
import completedEvent from '../fixtures/weblog/completed.json';
import { type AwsAccount, accountsLeftEmpty, addSecrets, approveAccount, awsCredentials, injectFaults, newAwsAccount, pathOf, resetStats, setDelay, standIn } from './aws';
import { call, type Person, seedOrgWorkspace, seedUser, ws } from './helpers';

/** Every account a test touched must hold no secret when the test ends: nothing outlives its run. */
const account = accountsLeftEmpty();

const launch = (who: Person, workspaceId: string, body: Record<string, unknown>) => call('POST', `/runs${ws(workspaceId)}`, { token: who.token, json: body });
const runOf = async (who: Person, workspaceId: string, id: string) => (await call('GET', `/runs/${id}${ws(workspaceId)}`, { token: who.token })).body.run;
const auditOf = async (owner: Person, workspaceId: string) => (await call('GET', `/audit${ws(workspaceId)}`, { token: owner.token })).body.events as any[];
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function workspace(extra: Array<[Person, string]> = []) {
  const owner = await seedUser('owner');
  const { workspaceId } = await seedOrgWorkspace([[owner, 'owner'], ...extra]);
  await addSecrets(owner, 2, workspaceId);
  return { owner, workspaceId };
}

describe('relay targets: only accounts the owners approved receive secrets', () => {
  it('refuses a launch to an unapproved account (403 naming it and how to approve, nothing created, audited); approved, it works', async () => {
    const { owner, workspaceId } = await workspace();
    const aws = await account();
    const credentialsId = await awsCredentials(owner, aws, workspaceId, {}, { approve: false });
    const refused = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(`AWS account ${aws.accountId} (reached through the own keys of credentials 'aws-${aws.accountId}-`);
    expect(refused.body.message).toContain(`is not an approved relay target of workspace 'pipelines', so no secret was sent there. An owner of the workspace approves it with POST /relay-targets?workspaceId=${workspaceId} {"accountId":"${aws.accountId}"}`);
    const state = await standIn(aws);
    expect(state.calls).toEqual({ GetCallerIdentity: 1 });
    expect((await call('GET', `/runs${ws(workspaceId)}`, { token: owner.token })).body.runs).toEqual([]);
    const [attempt] = await auditOf(owner, workspaceId);
    expect(attempt).toMatchObject({ action: 'run.refused', targetId: credentialsId, detail: { accountId: aws.accountId, roleArn: null, region: 'eu-west-1', secrets: ['SECRET_000', 'SECRET_001'] } });

    const target = await approveAccount(owner, aws.accountId, workspaceId);
    expect(target).toMatchObject({ accountId: aws.accountId, roleArns: [], createdBy: owner.id });
    const ok = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', runName: 'rnaseq' });
    expect(ok.status, ok.text).toBe(200);
    // Known for this version of the keys: not asked again.
    expect((await standIn(aws)).calls).toEqual({ GetCallerIdentity: 1, CreateSecret: 2 });
    expect(ok.body.subrequests).toMatchObject({ planned: 2, used: 2 });
    const run = await runOf(owner, workspaceId, ok.body.run.id);
    expect(run).toMatchObject({ accountId: aws.accountId, roleArn: null, region: 'eu-west-1', cleanupAttempts: 0, nextAttemptAt: null });
    const events = await auditOf(owner, workspaceId);
    expect(events.find((e) => e.action === 'relay-target.add')).toMatchObject({ targetKind: 'relay-target', targetId: aws.accountId, actorId: owner.id, detail: { accountId: aws.accountId, roleArns: [] } });
    expect(events.find((e) => e.action === 'run.launch')).toMatchObject({
      targetId: run.id,
      targetName: 'rnaseq',
      detail: { accountId: aws.accountId, roleArn: null, region: 'eu-west-1', credentialsId, secrets: ['SECRET_000', 'SECRET_001'], secretsPrefix: 'latchkey/' },
    });
    expect(JSON.stringify(events)).not.toMatch(/value-[01]/);
    expect((await call('POST', `/runs/${run.id}/complete${ws(workspaceId)}`, { token: owner.token, json: {} })).body.run.cleanedAt).not.toBeNull();

    // Withdrawn, the account is refused again; the list shows what is approved.
    expect((await call('DELETE', `/relay-targets/${aws.accountId}${ws(workspaceId)}`, { token: owner.token })).status).toBe(204);
    expect((await call('DELETE', `/relay-targets/${aws.accountId}${ws(workspaceId)}`, { token: owner.token })).status).toBe(404);
    expect((await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).status).toBe(403);
    expect((await call('GET', `/relay-targets${ws(workspaceId)}`, { token: owner.token })).body).toEqual({ relayTargets: [], hpc: false, totalSize: 0 });
    expect((await auditOf(owner, workspaceId)).filter((e) => e.action === 'relay-target.remove')).toHaveLength(1);
  });

  it('honours the roles an entry lists: another role, or the own keys, are refused naming them; a listed role works', async () => {
    const { owner, workspaceId } = await workspace();
    const aws = await account();
    const listed = `arn:aws:iam::${aws.accountId}:role/NextflowSecrets`;
    const other = `arn:aws:iam::${aws.accountId}:role/Admin`;
    await approveAccount(owner, aws.accountId, workspaceId, [listed]);
    const viaOther = await awsCredentials(owner, aws, workspaceId, { assumeRoleArn: other }, { approve: false });
    const viaKeys = await awsCredentials(owner, aws, workspaceId, {}, { approve: false });
    const viaListed = await awsCredentials(owner, aws, workspaceId, { assumeRoleArn: listed }, { approve: false });

    const r1 = await launch(owner, workspaceId, { credentialsId: viaOther, region: 'eu-west-1' });
    expect(r1.status).toBe(403);
    expect(r1.body.message).toBe(
      `Role ${other} is not approved for workspace 'pipelines': AWS account ${aws.accountId} is approved only for the roles ${listed}, so no secret was sent. An owner of the workspace approves it with POST /relay-targets?workspaceId=${workspaceId} {"accountId":"${aws.accountId}","roleArns":["${listed}","${other}"]}.`,
    );
    const r2 = await launch(owner, workspaceId, { credentialsId: viaKeys, region: 'eu-west-1' });
    expect(r2.status).toBe(403);
    expect(r2.body.message).toMatch(new RegExp(`^AWS account ${aws.accountId} is approved for workspace 'pipelines' only through the roles ${listed.replace(/[/]/g, '\\/')}, but credentials '.*' use their own keys there`));
    expect((await standIn(aws)).calls.CreateSecret).toBeUndefined();
    expect((await standIn(aws)).assumedRoles).toEqual([]); // refused before STS was asked for the unlisted role

    const r3 = await launch(owner, workspaceId, { credentialsId: viaListed, region: 'us-east-1' });
    expect(r3.status, r3.text).toBe(200);
    expect(r3.body.run).toMatchObject({ accountId: aws.accountId, roleArn: listed });
    const launchEvent = (await auditOf(owner, workspaceId)).find((e) => e.action === 'run.launch');
    expect(launchEvent.detail).toMatchObject({ accountId: aws.accountId, roleArn: listed, region: 'us-east-1', secrets: ['SECRET_000', 'SECRET_001'] });
    expect((await call('POST', pathOf(r3.body.completionUrl), { json: completedEvent })).body.secretsLeft).toBe(0);
  });

  it('validates entries: 12-digit accounts, role ARNs in that account; only owners change the list, members read it', async () => {
    const viewer = await seedUser('viewer');
    const admin = await seedUser('admin');
    const { owner, workspaceId } = await workspace([[viewer, 'view'], [admin, 'admin']]);
    const post = (who: Person, json: unknown) => call('POST', `/relay-targets${ws(workspaceId)}`, { token: who.token, json });
    const cases: Array<[unknown, string]> = [
      [{ accountId: '12345' }, "Field 'accountId' must be a 12-digit AWS account id"],
      [{ accountId: '123456789012', roleArns: ['arn:aws:iam::210987654321:role/X'] }, "Field 'roleArns[0]' names a role in account 210987654321, not in 123456789012"],
      [{ accountId: '123456789012', roleArns: ['arn:aws:iam::123456789012:user/X'] }, "Field 'roleArns[0]' must be an IAM role ARN"],
      [{}, "Field 'accountId' is required"],
    ];
    for (const [body, message] of cases) {
      const res = await post(owner, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toContain(message);
    }
    const denied = await post(admin, { accountId: '123456789012' });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe("Your role in workspace 'pipelines' is 'admin'; changing where secrets may be relayed needs one of: owner");
    expect((await call('DELETE', `/relay-targets/123456789012${ws(workspaceId)}`, { token: admin.token })).status).toBe(403);
    expect((await post(owner, { accountId: '123456789012', roleArns: ['arn:aws:iam::123456789012:role/b', 'arn:aws:iam::123456789012:role/a'] })).status).toBe(200);
    const updated = await post(owner, { accountId: '123456789012', description: 'prod batch' });
    expect(updated.body.relayTarget).toMatchObject({ roleArns: [], description: 'prod batch' });
    const list = await call('GET', `/relay-targets${ws(workspaceId)}`, { token: viewer.token });
    expect(list.body.relayTargets).toEqual([expect.objectContaining({ accountId: '123456789012', roleArns: [], description: 'prod batch' })]);
    const events = await auditOf(owner, workspaceId);
    expect(events.find((e) => e.action === 'relay-target.update')?.detail).toEqual({
      accountId: '123456789012', roleArns: [], previousRoleArns: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/b'],
    });
  });
});

describe('deletes go where the creates went', () => {
  it('after the credentials’ keys move to another account, completion deletes in the original one and touches nothing in the new one', async () => {
    const { owner, workspaceId } = await workspace();
    const original = await account();
    const moved = await account();
    const credentialsId = await awsCredentials(owner, original, workspaceId);
    const { run } = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body;
    expect((await standIn(original)).secrets).toHaveLength(2);
    const put = await call('PUT', `/credentials/${credentialsId}${ws(workspaceId)}`, {
      token: owner.token,
      json: { credentials: { name: 'aws-moved', provider: 'aws', keys: { accessKey: moved.accessKeyId, secretKey: moved.secretAccessKey } } },
    });
    expect(put.status, put.text).toBe(204);
    // The account learnt for the old keys is not reused: the new keys' account is learnt, and it is not approved.
    const elsewhere = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toContain(`AWS account ${moved.accountId}`);

    const done = await call('POST', `/runs/${run.id}/complete${ws(workspaceId)}`, { token: owner.token, json: {} });
    expect(done.status, done.text).toBe(200);
    expect(done.body.run).toMatchObject({ accountId: original.accountId, lastError: null });
    expect(done.body.run.cleanedAt).not.toBeNull();
    expect(done.body.run.secrets.map((s: any) => s.state)).toEqual(['deleted', 'deleted']);
    expect((await standIn(original)).secrets).toEqual([]);
    expect((await standIn(original)).calls.DeleteSecret).toBe(2);
    expect((await standIn(moved)).calls).toEqual({ GetCallerIdentity: 1 });
    // Cleaned: the run's sealed copy of the keys is gone.
    const row = await env.DB.prepare('SELECT cleanup_ct, cleanup_iv, key_version FROM runs WHERE id = ?').bind(run.id).first();
    expect(row).toEqual({ cleanup_ct: null, cleanup_iv: null, key_version: null });
  });

  it('a run launched before runs kept their keys never counts a delete in another account as done', async () => {
    const { owner, workspaceId } = await workspace();
    const original = await account();
    const moved = await account();
    const credentialsId = await awsCredentials(owner, original, workspaceId);
    const { run } = (await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' })).body;
    // As rows written before migration 0003: no account, role or sealed keys.
    await env.DB.prepare('UPDATE runs SET account_id = NULL, cleanup_ct = NULL, cleanup_iv = NULL, key_version = NULL WHERE id = ?').bind(run.id).run();
    const keysOf = (a: AwsAccount) => ({ credentials: { name: 'aws-x', provider: 'aws', keys: { accessKey: a.accessKeyId, secretKey: a.secretAccessKey } } });
    expect((await call('PUT', `/credentials/${credentialsId}${ws(workspaceId)}`, { token: owner.token, json: keysOf(moved) })).status).toBe(204);
    const done = await call('POST', `/runs/${run.id}/complete${ws(workspaceId)}`, { token: owner.token, json: {} });
    expect(done.body.run.cleanedAt).toBeNull();
    expect(done.body.run.lastError).toBe(
      `2 secrets of this run may still be in AWS account ${original.accountId} (eu-west-1): latchkey/${run.id}/SECRET_000, latchkey/${run.id}/SECRET_001. Nothing was deleted: the keys at hand act in AWS account ${moved.accountId}, not in ${original.accountId} where the secrets were created.`,
    );
    expect((await standIn(original)).secrets).toHaveLength(2);
    expect((await standIn(moved)).calls.DeleteSecret).toBeUndefined();
    // Back on the original keys, the sweeper finishes the job.
    expect((await call('PUT', `/credentials/${credentialsId}${ws(workspaceId)}`, { token: owner.token, json: keysOf(original) })).status).toBe(204);
    const report = await sweepRuns(env.DB, await keyringFor(env.VAULT_KEYS), relaySettings(env));
    expect(report).toMatchObject({ cleaned: 1, secretsLeft: 0 });
  });
});

describe('completion permission', () => {
  it('lets the launcher complete their own run; someone else’s needs maintain (403 naming the rule)', async () => {
    const launcher = await seedUser('launcher');
    const other = await seedUser('other');
    const maintainer = await seedUser('maintainer');
    const { owner, workspaceId } = await workspace([[launcher, 'launch'], [other, 'launch'], [maintainer, 'maintain']]);
    const aws = await account();
    const credentialsId = await awsCredentials(owner, aws, workspaceId);
    const complete = (who: Person, id: string) => call('POST', `/runs/${id}/complete${ws(workspaceId)}`, { token: who.token, json: {} });
    const a = (await launch(launcher, workspaceId, { credentialsId, region: 'eu-west-1' })).body.run;
    const b = (await launch(launcher, workspaceId, { credentialsId, region: 'eu-west-1' })).body.run;
    const refused = await complete(other, a.id);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      `Run '${a.id}' was launched by another member; completing someone else's run needs one of: owner, admin, maintain, and your role in workspace 'pipelines' is 'launch'. You may complete the runs you launched`,
    );
    expect((await runOf(owner, workspaceId, a.id)).state).toBe('launched');
    expect((await standIn(aws)).calls.DeleteSecret).toBeUndefined();
    expect((await complete(launcher, a.id)).status).toBe(200);
    expect((await complete(maintainer, b.id)).status).toBe(200);
    expect((await complete(other, '1234567890')).status).toBe(404);
  });
});

describe('operator bounds', () => {
  it('refuses a prefix or time-to-live outside what the operator allows, naming the field, the bound and the setting', async () => {
    const { owner, workspaceId } = await workspace();
    const aws = await account();
    const credentialsId = await awsCredentials(owner, aws, workspaceId);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ secretsPrefix: 'other/' }, "Field 'secretsPrefix' must start with 'latchkey/': the operator allows only that prefix (RUN_SECRETS_PREFIXES), so IAM policies can be limited to them. Leave it out for 'latchkey/'"],
      [{ secretsPrefix: '' }, "Field 'secretsPrefix' must start with 'latchkey/'"],
      [{ ttlHours: 169 }, "Field 'ttlHours' must be at most 168 on this server: the operator caps how long a run's secrets may live (RUN_SECRETS_MAX_TTL_HOURS). Leave it out for 72"],
    ];
    for (const [extra, message] of cases) {
      const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.body.message).toContain(message);
    }
    expect((await standIn(aws)).calls).toEqual({});
    const ok = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', ttlHours: 168, secretsPrefix: 'latchkey/team-a/' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.run.secrets[0].awsName).toBe(`latchkey/team-a/${ok.body.run.id}/SECRET_000`);
    await call('POST', pathOf(ok.body.completionUrl), { json: completedEvent });

    const custom = relaySettings({ ...env, RUN_SECRETS_PREFIXES: 'nf/, tower-', RUN_SECRETS_MAX_TTL_HOURS: '24', RUN_SECRETS_TTL_HOURS: '72' });
    expect(custom).toMatchObject({ prefixes: ['nf/', 'tower-'], maxTtlHours: 24, ttlHours: 24 });
    expect(() => relaySettings({ ...env, RUN_SECRETS_PREFIXES: 'ok/, not ok' })).toThrow(/RUN_SECRETS_PREFIXES must be a comma-separated list/);
  });

  it('reads AWS errors cleanly: no doubled periods, no secret values', async () => {
    const { owner, workspaceId } = await workspace();
    const aws = await account();
    const credentialsId = await awsCredentials(owner, aws, workspaceId);
    await injectFaults(aws, [{ op: 'CreateSecret', name: 'SECRET_001', times: 1, type: 'AccessDeniedException', status: 400, message: 'Not authorized for value-1 here.' }]);
    const res = await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1' });
    expect(res.status).toBe(502);
    expect(res.body.message).toBe(
      "Could not create secret 'SECRET_001' in AWS Secrets Manager (eu-west-1): AccessDeniedException: Not authorized for [redacted] here. The secrets already created for this run were deleted again.",
    );
  });
});

describe('the sweeper cannot be starved', () => {
  it('cleans healthy expired runs in the first sweep beside 30 failing ones, backs the failing ones off, audits expiry once, and says what is left', async () => {
    const { owner, workspaceId } = await workspace();
    const failing = await account();
    const healthy = await account();
    const failingCreds = await awsCredentials(owner, failing, workspaceId);
    const healthyCreds = await awsCredentials(owner, healthy, workspaceId);
    const t0 = new Date();
    // The failing runs are launched first: they expire first, as the runs that used to fill every sweep did.
    const bad: string[] = [];
    for (let i = 0; i < 30; i++) bad.push((await launch(owner, workspaceId, { credentialsId: failingCreds, region: 'eu-west-1', ttlHours: 1, secrets: ['SECRET_000'] })).body.run.id);
    const good: string[] = [];
    for (let i = 0; i < 5; i++) good.push((await launch(owner, workspaceId, { credentialsId: healthyCreds, region: 'eu-west-1', ttlHours: 1 })).body.run.id);
    await injectFaults(failing, [{ op: 'DeleteSecret', times: 60, type: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform: secretsmanager:DeleteSecret.' }]);
    await setDelay(healthy, 20);
    await resetStats(healthy);
    const keyring = await keyringFor(env.VAULT_KEYS);
    const settings = relaySettings(env);

    const sweep1 = new Date(t0.getTime() + 2 * 3600_000);
    expect(await sweepRuns(env.DB, keyring, settings, sweep1)).toEqual({ runs: 35, cleaned: 5, secretsLeft: 30, deferred: 0, abandoned: 0 });
    expect((await standIn(healthy)).secrets).toEqual([]);
    expect((await standIn(healthy)).maxInFlight).toBeGreaterThan(1); // several runs at once
    const next1 = iso(new Date(sweep1.getTime() + retryDelayMs(1)));
    for (const id of bad) {
      const r = await runOf(owner, workspaceId, id);
      expect(r).toMatchObject({ cleanedAt: null, cleanupAttempts: 1, nextAttemptAt: next1 });
      expect(r.lastError).toBe(
        `1 secret of this run may still be in AWS account ${failing.accountId} (eu-west-1): latchkey/${id}/SECRET_000. Last error: DeleteSecret: AccessDeniedException: User is not authorized to perform: secretsmanager:DeleteSecret. The sweeper tries again after ${next1} (failed attempts: 1).`,
      );
      expect(r.lastError).not.toContain('..');
    }
    for (const id of good) expect((await runOf(owner, workspaceId, id)).lastError).toMatch(/^No completion was reported before .*, when the time-to-live of its secrets ran out$/);

    // Runs that expire later are reached even by a sweep that may look at only 3 runs: the failing ones are waiting.
    const later: string[] = [];
    for (let i = 0; i < 3; i++) later.push((await launch(owner, workspaceId, { credentialsId: healthyCreds, region: 'eu-west-1', ttlHours: 1 })).body.run.id);
    expect(await sweepRuns(env.DB, keyring, settings, new Date(sweep1.getTime() + 5 * 60_000), 3)).toEqual({ runs: 3, cleaned: 3, secretsLeft: 0, deferred: 0, abandoned: 0 });

    // When their time comes, the failing runs are tried again, and back off further.
    const sweep3 = new Date(sweep1.getTime() + retryDelayMs(1) + 60_000);
    expect(await sweepRuns(env.DB, keyring, settings, sweep3)).toEqual({ runs: 30, cleaned: 0, secretsLeft: 30, deferred: 0, abandoned: 0 });
    expect(await runOf(owner, workspaceId, bad[0]!)).toMatchObject({ cleanupAttempts: 2, nextAttemptAt: iso(new Date(sweep3.getTime() + retryDelayMs(2))) });
    expect(retryDelayMs(2)).toBe(2 * retryDelayMs(1));
    expect(retryDelayMs(40)).toBe(12 * 3600_000);
    expect(await sweepRuns(env.DB, keyring, settings, new Date(sweep3.getTime() + 60_000))).toMatchObject({ runs: 0 });

    // Expiry was audited once per run, however many sweeps saw it.
    const expired = await env.DB.prepare("SELECT target_id, detail FROM audit_events WHERE workspace_id = ? AND action = 'run.expired'").bind(workspaceId).all<{ target_id: string; detail: string }>();
    expect(expired.results).toHaveLength(38);
    expect(new Set(expired.results.map((e) => e.target_id)).size).toBe(38);
    expect(JSON.parse(expired.results.find((e) => e.target_id === bad[0])!.detail)).toEqual({ accountId: failing.accountId, roleArn: null, region: 'eu-west-1', secretsLeft: 1 });

    // The faults are used up: the next due sweep cleans them all, and the messages no longer speak of what is left.
    expect(await sweepRuns(env.DB, keyring, settings, new Date(sweep3.getTime() + retryDelayMs(2) + 60_000))).toEqual({ runs: 30, cleaned: 30, secretsLeft: 0, deferred: 0, abandoned: 0 });
    const cleaned = await runOf(owner, workspaceId, bad[0]!);
    expect(cleaned).toMatchObject({ nextAttemptAt: null, cleanupAttempts: 2 });
    expect(cleaned.lastError).toMatch(/^No completion was reported before/);
  });

  it('leaves runs that do not fit in the subrequest budget for the next sweep, without counting them as failed', async () => {
    const { owner, workspaceId } = await workspace();
    const aws = await account();
    const credentialsId = await awsCredentials(owner, aws, workspaceId);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await launch(owner, workspaceId, { credentialsId, region: 'eu-west-1', ttlHours: 1, secrets: ['SECRET_000'] })).body.run.id);
    const keyring = await keyringFor(env.VAULT_KEYS);
    const later = new Date(Date.now() + 2 * 3600_000);
    expect(await sweepRuns(env.DB, keyring, { ...relaySettings(env), ceiling: 4 }, later)).toEqual({ runs: 3, cleaned: 1, secretsLeft: 0, deferred: 2, abandoned: 0 });
    const waiting = (await Promise.all(ids.map((id) => runOf(owner, workspaceId, id)))).filter((r) => r.cleanedAt === null);
    expect(waiting).toHaveLength(2);
    for (const r of waiting) expect(r).toMatchObject({ cleanupAttempts: 0, nextAttemptAt: null, lastError: null }); // not even looked at yet
    expect(await sweepRuns(env.DB, keyring, relaySettings(env), later)).toEqual({ runs: 2, cleaned: 2, secretsLeft: 0, deferred: 0, abandoned: 0 });
  });
});
