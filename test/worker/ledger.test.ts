/**
 * The per-run ledger and the launch kit: which version of which secret went where, when, and when it was deleted;
 * and the kit again for the member who launched the run, and only for them.
 */
import { describe, expect, it } from 'vitest';
import { accountsLeftEmpty, addSecrets, awsCredentials, injectFaults, newAwsAccount } from './aws';
import { call, seedOrgWorkspace, seedUser, ws } from './helpers';

const account = accountsLeftEmpty();

async function world() {
  const owner = await seedUser('owner');
  const launcher = await seedUser('launch');
  const other = await seedUser('launch');
  const { workspaceId } = await seedOrgWorkspace([[owner, 'owner'], [launcher, 'launch'], [other, 'launch']]);
  const aws = await account();
  const credentialsId = await awsCredentials(owner, aws, workspaceId);
  await addSecrets(owner, 2, workspaceId);
  return { owner, launcher, other, workspaceId, aws, credentialsId };
}

describe('the run ledger', () => {
  it('records the version of each secret that went out, when it was created and when it was deleted', async () => {
    const { owner, launcher, workspaceId, credentialsId } = await world();
    const secrets = (await call('GET', `/pipeline-secrets${ws(workspaceId)}`, { token: owner.token })).body.pipelineSecrets;
    const first = secrets.find((s: { name: string }) => s.name === 'SECRET_000');
    // Two updates: version 3.
    for (const value of ['second', 'third']) expect((await call('PUT', `/pipeline-secrets/${first.id}${ws(workspaceId)}`, { token: owner.token, json: { value } })).status).toBe(204);

    const launched = await call('POST', `/runs${ws(workspaceId)}`, { token: launcher.token, json: { credentialsId, region: 'eu-west-1' } });
    expect(launched.status, launched.text).toBe(200);
    const runId = launched.body.run.id;
    const ledger = (await call('GET', `/runs/${runId}${ws(workspaceId)}`, { token: owner.token })).body.run.secrets;
    expect(ledger.map((s: { name: string; version: number }) => [s.name, s.version])).toEqual([['SECRET_000', 3], ['SECRET_001', 1]]);
    for (const s of ledger) {
      expect(s.arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:/);
      expect(Date.parse(s.deliveredAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(s.deletedAt).toBeNull();
    }
    expect(JSON.stringify(ledger)).not.toMatch(/third|value-1/);

    expect((await call('POST', `/runs/${runId}/complete${ws(workspaceId)}`, { token: launcher.token, json: { success: true } })).status).toBe(200);
    const after = (await call('GET', `/runs/${runId}${ws(workspaceId)}`, { token: owner.token })).body.run.secrets;
    for (const s of after) {
      expect(s.state).toBe('deleted');
      expect(Date.parse(s.deletedAt)).toBeGreaterThanOrEqual(Date.parse(s.deliveredAt));
    }
  });
});

describe('the launch kit', () => {
  it('is given again to the member who launched the run, to nobody else, and not after the run ended', async () => {
    const { owner, launcher, other, workspaceId, credentialsId } = await world();
    const launched = await call('POST', `/runs${ws(workspaceId)}`, { token: launcher.token, json: { credentialsId, region: 'eu-west-1', batchCliPath: '/opt/aws-cli/bin/aws' } });
    expect(launched.status, launched.text).toBe(200);
    const runId = launched.body.run.id;
    expect(launched.body.nextflow.config).toContain("batch { cliPath = '/opt/aws-cli/bin/aws' }");

    const kit = await call('GET', `/runs/${runId}/launch-kit${ws(workspaceId)}`, { token: launcher.token });
    expect(kit.status, kit.text).toBe(200);
    expect(kit.body.nextflow.config).toContain("batch { cliPath = '/opt/aws-cli/bin/aws' }");
    expect(kit.body.nextflow.config).toContain(`url = 'https://latchkey.test/weblog/${runId}'`);
    expect(kit.body.nextflow.headScript).toBe(launched.body.nextflow.headScript);
    // The fresh token in the kit ends the run through the Basic-free URL form too.
    expect(kit.body.completionUrl).toMatch(new RegExp(`/weblog/${runId}\\?token=`));

    for (const who of [owner, other]) {
      const refused = await call('GET', `/runs/${runId}/launch-kit${ws(workspaceId)}`, { token: who.token });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(`Only the member who launched run '${runId}' can get its launch kit: it carries the run's completion token`);
      expect(refused.text).not.toContain('token=');
    }
    const badCli = await call('POST', `/runs${ws(workspaceId)}`, { token: launcher.token, json: { credentialsId, region: 'eu-west-1', batchCliPath: 'aws; rm -rf /' } });
    expect(badCli.status).toBe(400);
    expect(badCli.body.message).toMatch(/^Field 'batchCliPath' must be an absolute path/);

    expect((await call('POST', `/runs/${runId}/complete${ws(workspaceId)}`, { token: launcher.token, json: {} })).status).toBe(200);
    const ended = await call('GET', `/runs/${runId}/launch-kit${ws(workspaceId)}`, { token: launcher.token });
    expect(ended.status).toBe(409);
    expect(ended.body.message).toMatch(/has ended; its secrets are gone or going/);
  });
});

describe('bad regions and dead ends', () => {
  it('refuses a region AWS does not have before anything is written, naming the ones nearby', async () => {
    const { owner, workspaceId, credentialsId } = await world();
    const res = await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { credentialsId, region: 'eu-west-9' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      "Field 'region' names no AWS region ('eu-west-9'); in that area AWS has eu-west-1, eu-west-2, eu-west-3. If AWS has opened it since, the operator can add it to AWS_EXTRA_REGIONS",
    );
    expect((await call('GET', `/runs${ws(workspaceId)}`, { token: owner.token })).body.runs).toEqual([]);
  });

  it('gives up on a cleanup that keeps failing after a bounded number of sweeps, says what is left, and frees the credentials', async () => {
    const { sweepRuns, relaySettings, MAX_CLEANUP_ATTEMPTS } = await import('../../worker/src/runs');
    const { keyringFor } = await import('../../worker/src/vault');
    const { env } = await import('cloudflare:workers');
    const owner = await seedUser('owner');
    const { workspaceId } = await seedOrgWorkspace([[owner, 'owner']]);
    const aws = await newAwsAccount(); // not in `touched`: this test leaves secrets behind on purpose
    const credentialsId = await awsCredentials(owner, aws, workspaceId);
    await addSecrets(owner, 2, workspaceId);
    const run = (await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { credentialsId, region: 'eu-west-1' } })).body.run;
    await injectFaults(aws, [{ op: 'DeleteSecret', times: 1000, type: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform: secretsmanager:DeleteSecret.' }]);
    expect((await call('POST', `/runs/${run.id}/complete${ws(workspaceId)}`, { token: owner.token, json: {} })).status).toBe(200);
    const keyring = await keyringFor(env.VAULT_KEYS);
    let at = Date.now();
    const reports = [];
    for (let i = 0; i < MAX_CLEANUP_ATTEMPTS + 2; i++) {
      at += 13 * 3600_000; // past the longest backoff
      reports.push(await sweepRuns(env.DB, keyring, relaySettings(env), new Date(at)));
    }
    expect(reports.filter((r) => r.abandoned === 1)).toHaveLength(1);
    expect(reports.at(-1)).toMatchObject({ runs: 0 }); // never picked up again
    const view = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(view.abandonedAt).toMatch(/^\d{4}-/);
    expect(view.cleanupAttempts).toBe(MAX_CLEANUP_ATTEMPTS);
    expect(view.secrets.map((s: { state: string }) => s.state)).toEqual(['abandoned', 'abandoned']);
    expect(view.lastError).toMatch(new RegExp(`^Latchkey stopped trying after ${MAX_CLEANUP_ATTEMPTS} failed cleanups: 2 secret\\(s\\) may remain in AWS account ${aws.accountId} \\(eu-west-1\\): arn:aws:secretsmanager:.+ Delete them there by hand`));
    expect(view.lastError).not.toMatch(/\.\./);
    const audit = (await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'run.cleanup_abandoned' AND target_id = ?").bind(run.id).first<{ n: number }>())!.n;
    expect(audit).toBe(1);
    // The credentials are no longer held for a run nobody can clean.
    expect((await call('DELETE', `/credentials/${credentialsId}${ws(workspaceId)}`, { token: owner.token })).status).toBe(204);
  });
});
