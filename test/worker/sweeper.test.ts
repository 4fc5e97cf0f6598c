/**
 * The sweeper's throughput (issue 12): hundreds of stale runs cleaned in one invocation within the subrequest budget,
 * and overlapping invocations that never handle the same run twice (each claims its runs first).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { launchRun, relaySettings, sweepRuns } from '../../worker/src/runs';
import { keyringFor } from '../../worker/src/vault';
import { addSecrets, awsCredentials, newAwsAccount, resetStats, standIn } from './aws';
import { seedUser } from './helpers';

const system = { kind: 'system' as const, id: null, ip: null, userAgent: null };

/** `count` runs of one secret each, ended without their secrets being deleted (as when a completion died). */
async function staleRuns(count: number) {
  const me = await seedUser('sweep');
  const ws = { id: me.personalWorkspaceId, kind: 'personal' as const, orgId: null, name: me.userName, role: 'owner' as const };
  const caller = { userId: me.id, personalWorkspaceId: me.personalWorkspaceId, actor: { ...system, kind: 'user' as const, id: me.id } };
  const aws = await newAwsAccount();
  const credentialsId = await awsCredentials(me, aws);
  await addSecrets(me, 1);
  const keyring = await keyringFor(env.VAULT_KEYS);
  for (let i = 0; i < count; i++) await launchRun(env.DB, keyring, relaySettings(env), caller, ws, { credentialsId, region: 'eu-west-1', secrets: ['SECRET_000'] }, 'https://x');
  await env.DB.prepare("UPDATE runs SET state = 'succeeded', completed_at = ? WHERE workspace_id = ?").bind(new Date().toISOString(), ws.id).run();
  await resetStats(aws);
  expect((await standIn(aws)).secrets).toHaveLength(count);
  return { aws, keyring, workspaceId: ws.id };
}

const openRuns = async (workspaceId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM runs WHERE workspace_id = ? AND cleaned_at IS NULL').bind(workspaceId).first<{ n: number }>())!.n;

describe('sweeper throughput', () => {
  it('cleans 200 stale runs in one invocation, within the subrequest budget', { timeout: 120_000 }, async () => {
    const { aws, keyring, workspaceId } = await staleRuns(200);
    const settings = { ...relaySettings(env), ceiling: 1000 };
    const report = await sweepRuns(env.DB, keyring, settings);
    expect(report).toEqual({ runs: 200, cleaned: 200, secretsLeft: 0, deferred: 0, abandoned: 0 });
    const after = await standIn(aws);
    expect(after.secrets).toEqual([]);
    const calls = Object.values(after.calls).reduce((a, b) => a + b, 0);
    expect(calls).toBeLessThanOrEqual(settings.ceiling);
    expect(after.calls.DeleteSecret).toBe(200);
    expect(await openRuns(workspaceId)).toBe(0);
  });

  it('a smaller budget defers what does not fit, and the next invocation takes it; overlapping sweeps never share a run', { timeout: 60_000 }, async () => {
    const { aws, keyring, workspaceId } = await staleRuns(60);
    const small = { ...relaySettings(env), ceiling: 60 };
    // Two sweeps at once: each claims its own runs first, so no run is handled twice.
    const [a, b] = await Promise.all([sweepRuns(env.DB, keyring, small), sweepRuns(env.DB, keyring, small)]);
    expect(a.cleaned + b.cleaned + a.deferred + b.deferred).toBe(60);
    const first = await standIn(aws);
    expect(Object.values(first.calls).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(2 * small.ceiling);
    expect(first.calls.DeleteSecret).toBe(a.cleaned + b.cleaned);
    // Deferred runs were released, not left claimed: the next sweep cleans them.
    const rest = await sweepRuns(env.DB, keyring, relaySettings(env));
    expect(rest.cleaned).toBe(a.deferred + b.deferred);
    expect((await standIn(aws)).secrets).toEqual([]);
    expect((await standIn(aws)).calls.DeleteSecret).toBe(60);
    expect(await openRuns(workspaceId)).toBe(0);
  });
});
