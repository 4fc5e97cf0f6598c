/**
 * Faults mid-operation: D1 failing at each call of create, update, rotate, launch and completion, and Secrets Manager
 * failing on top. Afterwards every stored record still opens, nothing is half-written, and once the sweeper has run
 * no AWS secret of a finished run remains.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createCredentials, openCredentialsSecrets, type CredentialsRow, updateCredentials } from '../../worker/src/credentials';
import { rotateVault } from '../../worker/src/rotation';
import { completeRun, launchRun, relaySettings, sweepRuns } from '../../worker/src/runs';
import { resolveRunSecrets } from '../../worker/src/secrets';
import { Keyring, keyringFor } from '../../worker/src/vault';
import { sampleCredentials } from '../fixtures/credentials';
import { addSecrets, awsCredentials, injectFaults, newAwsAccount, standIn } from './aws';
import { faultyD1 } from './faulty-d1';
import { seedUser } from './helpers';
import { VAULT_KEYS_V1_ONLY } from './keys';

const system = { kind: 'system' as const, id: null, ip: null, userAgent: null };

async function setup() {
  const me = await seedUser();
  const ws = { id: me.personalWorkspaceId, kind: 'personal' as const, orgId: null, name: me.userName, role: 'owner' as const };
  const caller = { userId: me.id, personalWorkspaceId: me.personalWorkspaceId, actor: { ...system, kind: 'user' as const, id: me.id } };
  return { me, ws, caller, keyring: await keyringFor(env.VAULT_KEYS) };
}

/** Every stored credentials row and secret opens, and every record has exactly the audit events of its writes. */
async function assertIntact(workspaceId: string) {
  const keyring = await keyringFor(env.VAULT_KEYS);
  const rows = (await env.DB.prepare('SELECT * FROM credentials WHERE workspace_id = ?').bind(workspaceId).all<CredentialsRow>()).results;
  for (const row of rows) await expect(openCredentialsSecrets(keyring, row)).resolves.toBeTypeOf('object');
  await expect(resolveRunSecrets(env.DB, keyring, { workspaceId, personalWorkspaceId: workspaceId })).resolves.toBeInstanceOf(Array);
  const orphans = await env.DB.prepare(
    "SELECT count(*) AS n FROM audit_events a WHERE a.workspace_id = ? AND a.action = 'credentials.create' AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = a.target_id)",
  )
    .bind(workspaceId)
    .first<{ n: number }>();
  expect(orphans?.n, 'an audit event for credentials that were never written').toBe(0);
  const unaudited = await env.DB.prepare(
    "SELECT count(*) AS n FROM credentials c WHERE c.workspace_id = ? AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.target_id = c.id AND a.action = 'credentials.create')",
  )
    .bind(workspaceId)
    .first<{ n: number }>();
  expect(unaudited?.n, 'credentials written without their audit event').toBe(0);
  return rows;
}

describe('faults mid-operation', () => {
  it('create: a D1 failure at any step leaves either the whole record and its audit event, or nothing', async () => {
    const { ws, caller, keyring } = await setup();
    // A create is one D1 call (one atomic batch); fail it.
    const { db: failing } = faultyD1(env.DB, 1);
    await expect(createCredentials(failing, keyring, caller.actor, ws, { ...sampleCredentials('gitlab', 'x', 'fault-1').credentials, provider: 'gitlab' })).rejects.toThrow(/injected fault/);
    const rows = await assertIntact(ws.id);
    expect(rows).toEqual([]);
    const { db, calls } = faultyD1(env.DB, 99);
    await createCredentials(db, keyring, caller.actor, ws, { ...sampleCredentials('gitlab', 'x', 'fault-ok').credentials, provider: 'gitlab' });
    expect(calls()).toBe(1); // one atomic batch: the row and its audit event land together
    expect(await assertIntact(ws.id)).toHaveLength(1);
  });

  it('update: a D1 failure keeps the previous version whole; the next update succeeds', async () => {
    const { ws, caller, keyring } = await setup();
    const id = await createCredentials(env.DB, keyring, caller.actor, ws, { ...sampleCredentials('aws', 'old', 'upd').credentials, provider: 'aws' });
    for (let failAt = 1; failAt <= 2; failAt++) {
      const { db } = faultyD1(env.DB, failAt);
      // Same access key and role: the stored secret key is kept (and re-sealed).
      await expect(updateCredentials(db, keyring, caller.actor, ws, id, { name: 'upd', provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', assumeRoleArn: 'arn:aws:iam::123456789012:role/NextflowRunner' } })).rejects.toThrow(/injected fault/);
      const [row] = await assertIntact(ws.id);
      expect(await openCredentialsSecrets(keyring, row!)).toEqual({ secretKey: 'aws-old' });
    }
    await updateCredentials(env.DB, keyring, caller.actor, ws, id, { name: 'upd', provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'new' } });
    const [row] = await assertIntact(ws.id);
    expect(await openCredentialsSecrets(keyring, row!)).toEqual({ secretKey: 'new' });
  });

  it('rotate: a D1 failure part-way leaves every row readable, and a second pass finishes', async () => {
    const { ws, caller } = await setup();
    const v1 = await Keyring.fromJson(VAULT_KEYS_V1_ONLY);
    for (let i = 0; i < 5; i++) await createCredentials(env.DB, v1, caller.actor, ws, { ...sampleCredentials('github', `r${i}`, `rot-${i}`).credentials, provider: 'github' });
    const keyring = await keyringFor(env.VAULT_KEYS);
    for (let failAt = 1; failAt <= 3; failAt++) {
      const { db } = faultyD1(env.DB, failAt);
      await rotateVault(db, keyring, system).catch((e) => expect(String(e)).toMatch(/injected fault/));
      await assertIntact(ws.id);
    }
    await rotateVault(env.DB, keyring, system);
    const rows = await assertIntact(ws.id);
    expect(new Set(rows.map((r) => r.key_version))).toEqual(new Set(['2']));
    for (const [i, row] of rows.sort((a, b) => a.name.localeCompare(b.name)).entries()) expect(await openCredentialsSecrets(keyring, row)).toEqual({ password: `tok-r${i}` });
  });

  it('launch and completion: a D1 failure at any step leaves no AWS secret behind once the sweeper has run', async () => {
    const { me, ws, caller, keyring } = await setup();
    const aws = await newAwsAccount();
    const credentialsId = await awsCredentials(me, aws);
    await addSecrets(me, 8);
    const settings = relaySettings(env);
    // Count the D1 calls of a whole launch, then fail at each of them in turn.
    const probe = faultyD1(env.DB, 10_000);
    const ok = await launchRun(probe.db, keyring, settings, caller, ws, { credentialsId, region: 'eu-west-1' }, 'https://x');
    const launchCalls = probe.calls();
    await completeRun(env.DB, keyring, settings, ok.run.id, 'succeeded', system);
    for (let failAt = 1; failAt <= launchCalls; failAt++) {
      const { db } = faultyD1(env.DB, failAt);
      await launchRun(db, keyring, settings, caller, ws, { credentialsId, region: 'eu-west-1' }, 'https://x').then(
        (r) => completeRun(env.DB, keyring, settings, r.run.id, 'succeeded', system),
        (e) => expect(String(e)).toMatch(/injected fault|Could not create/),
      );
    }
    // Completion failing part-way, with Secrets Manager throttling on top.
    const runIds: string[] = [];
    for (let failAt = 1; failAt <= 4; failAt++) {
      const r = await launchRun(env.DB, keyring, settings, caller, ws, { credentialsId, region: 'eu-west-1' }, 'https://x');
      runIds.push(r.run.id);
      await injectFaults(aws, [{ op: 'DeleteSecret', times: 2, type: 'ThrottlingException', status: 400, message: 'Rate exceeded' }]);
      const { db } = faultyD1(env.DB, failAt);
      await completeRun(db, keyring, settings, r.run.id, 'succeeded', system).catch((e) => expect(String(e)).toMatch(/injected fault/));
    }
    // The sweeper, later on: launches that died are stale after 15 minutes.
    await sweepRuns(env.DB, keyring, settings, new Date(Date.now() + 20 * 60_000));
    await sweepRuns(env.DB, keyring, settings, new Date(Date.now() + 20 * 60_000));
    const left = await standIn(aws);
    const open = await env.DB.prepare("SELECT id, state FROM runs WHERE workspace_id = ? AND cleaned_at IS NULL").bind(ws.id).all<{ id: string; state: string }>();
    // Only runs still running may hold secrets; every other one is clean in AWS and in D1.
    const running = new Set(open.results.filter((r) => r.state === 'launched' || r.state === 'running').map((r) => r.id));
    expect(left.secrets.filter((s) => !running.has(s.tags['latchkey:run']!)).map((s) => s.name)).toEqual([]);
    for (const id of running) await completeRun(env.DB, keyring, settings, id, 'succeeded', system);
    await sweepRuns(env.DB, keyring, settings, new Date(Date.now() + 20 * 60_000));
    expect((await standIn(aws)).secrets).toEqual([]);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM runs WHERE workspace_id = ? AND cleaned_at IS NULL').bind(ws.id).first<{ n: number }>())?.n).toBe(0);
    await assertIntact(ws.id);
    // Every step was failed in turn; a launch is three round trips (issue 12's ceiling).
    expect(launchCalls).toBe(3);
  });
});
