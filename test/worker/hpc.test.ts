/**
 * Slurm/HPC runs: nothing is relayed to AWS; the head job downloads the run's secret store once, within its window,
 * with the run's own download token. A second download, a late one, or one with another run's token is refused and
 * audited; the completion event closes the run.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import completedEvent from '../fixtures/weblog/completed.json';
import { addSecrets, pathOf } from './aws';
import { call, seedOrgWorkspace, seedUser, ws } from './helpers';

const tokenOf = (headScript: string) => /Authorization: Bearer %s"\\n' '([^']+)'/.exec(headScript)![1]!;
const download = (runId: string, token?: string) =>
  call('POST', `/hpc/${runId}/secrets-store`, { json: {}, headers: token ? { authorization: `Bearer ${token}` } : {} });
const auditOf = async (runId: string) =>
  (await env.DB.prepare('SELECT action, detail FROM audit_events WHERE target_id = ? ORDER BY id').bind(runId).all<{ action: string; detail: string | null }>()).results.map(
    (e) => `${e.action}${e.detail && JSON.parse(e.detail).reason ? ` (${JSON.parse(e.detail).reason})` : ''}`,
  );

async function hpcWorld() {
  const owner = await seedUser('owner');
  const { workspaceId } = await seedOrgWorkspace([[owner, 'owner']]);
  await addSecrets(owner, 3, workspaceId, (i) => [`ünïcødé ✓ ${i}`, `quote's "and" $HOME\n`, 'x'.repeat(65_536)][i]!);
  expect((await call('PUT', `/relay-targets/hpc${ws(workspaceId)}`, { token: owner.token, json: {} })).status).toBe(204);
  return { owner, workspaceId };
}

describe('Slurm/HPC runs', () => {
  it('are an owner’s decision: refused until an owner allows them, audited both ways', async () => {
    const owner = await seedUser('owner');
    const admin = await seedUser('admin');
    const { workspaceId } = await seedOrgWorkspace([[owner, 'owner'], [admin, 'admin']]);
    await addSecrets(owner, 1, workspaceId);
    const refused = await call('POST', `/runs${ws(workspaceId)}`, { token: admin.token, json: { target: 'hpc' } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      `Slurm/HPC downloads are not allowed in workspace 'pipelines': an 'hpc' run hands its secrets to whoever runs the kit, so the owners decide. An owner allows them with PUT /relay-targets/hpc?workspaceId=${workspaceId} {}`,
    );
    expect((await call('PUT', `/relay-targets/hpc${ws(workspaceId)}`, { token: admin.token, json: {} })).status).toBe(403);
    expect((await call('PUT', `/relay-targets/hpc${ws(workspaceId)}`, { token: owner.token, json: {} })).status).toBe(204);
    expect((await call('GET', `/relay-targets${ws(workspaceId)}`, { token: admin.token })).body.hpc).toBe(true);
    expect((await call('POST', `/runs${ws(workspaceId)}`, { token: admin.token, json: { target: 'hpc' } })).status).toBe(200);
    expect((await call('DELETE', `/relay-targets/hpc${ws(workspaceId)}`, { token: owner.token })).status).toBe(204);
    expect((await call('POST', `/runs${ws(workspaceId)}`, { token: admin.token, json: { target: 'hpc' } })).status).toBe(403);
    const actions = (await env.DB.prepare("SELECT action FROM audit_events WHERE workspace_id = ? AND action LIKE 'relay-target.hpc%' ORDER BY id").bind(workspaceId).all<{ action: string }>()).results.map((r) => r.action);
    expect(actions).toEqual(['relay-target.hpc-allow', 'relay-target.hpc-stop']);
  });

  it('hands the store out once, to the run’s own token, and closes the run on completion', async () => {
    const { owner, workspaceId } = await hpcWorld();
    const launched = await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { target: 'hpc', runName: 'slurm-rnaseq' } });
    expect(launched.status, launched.text).toBe(200);
    const { run, nextflow, completionUrl } = launched.body;
    expect(run).toMatchObject({ target: 'hpc', state: 'launched', region: null, credentialsId: null, accountId: null, download: { downloadedAt: null } });
    expect(Date.parse(run.download.expiresAt) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(run.secrets.map((s: { state: string; version: number }) => [s.state, s.version])).toEqual([['pending', 1], ['pending', 1], ['pending', 1]]);
    expect(nextflow.target).toBe('hpc');
    expect(nextflow.config).toContain(`url = 'https://latchkey.test/weblog/${run.id}'`);
    expect(nextflow.config).not.toContain('aws');
    expect(nextflow.headScript).toContain(`'https://latchkey.test/hpc/${run.id}/secrets-store'`);
    expect(nextflow.taskScript).toBe('');
    const token = tokenOf(nextflow.headScript);
    // The completion token cannot download, and the download token cannot end the run.
    expect((await download(run.id, new URL(completionUrl).searchParams.get('token')!)).status).toBe(401);
    expect((await call('POST', `/weblog/${run.id}`, { json: completedEvent, headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    const first = await download(run.id, token);
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toEqual([
      { name: 'SECRET_000', value: 'ünïcødé ✓ 0' },
      { name: 'SECRET_001', value: `quote's "and" $HOME\n` },
      { name: 'SECRET_002', value: 'x'.repeat(65_536) },
    ]);
    const second = await download(run.id, token);
    expect(second.status).toBe(410);
    expect(second.body.message).toMatch(/^The secret store of run '\w+' was already downloaded at .+; a run's store is handed out once$/);
    expect(second.text).not.toContain('ünïcødé');

    const view = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(view.download.downloadedAt).toMatch(/^\d{4}-/);
    expect(view.secrets.every((s: { state: string; deliveredAt: string }) => s.state === 'created' && s.deliveredAt)).toBe(true);

    const done = await call('POST', pathOf(completionUrl), { json: completedEvent });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ state: 'succeeded', secretsLeft: 0 });
    const ended = (await call('GET', `/runs/${run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(ended.cleanedAt).toMatch(/^\d{4}-/);
    expect(ended.secrets.every((s: { state: string; deletedAt: string }) => s.state === 'deleted' && s.deletedAt)).toBe(true);
    expect(await auditOf(run.id)).toEqual(['run.launch', 'run.download_refused (invalid token)', 'run.download', 'run.download_refused (second download)', 'run.succeeded']);
  });

  it('refuses a late download, one with another run’s token, and one after the run ended, each audited', async () => {
    const { owner, workspaceId } = await hpcWorld();
    const launch = async () => (await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { target: 'hpc', downloadWindowMinutes: 5 } })).body;
    const a = await launch();
    const b = await launch();
    const foreign = await download(a.run.id, tokenOf(b.nextflow.headScript));
    expect(foreign.status).toBe(401);
    expect(foreign.body.message).toBe('This download token belongs to another run');

    // The window closes: the row says so (the token, signed for the same moment, would also expire).
    await env.DB.prepare("UPDATE runs SET download_expires_at = '2020-01-01T00:00:00Z' WHERE id = ?").bind(a.run.id).run();
    const late = await download(a.run.id, tokenOf(a.nextflow.headScript));
    expect(late.status).toBe(410);
    expect(late.body.message).toBe('The download window of this run has closed; launch a new run');

    expect((await call('POST', `/runs/${b.run.id}/complete${ws(workspaceId)}`, { token: owner.token, json: { success: false } })).status).toBe(200);
    const afterEnd = await download(b.run.id, tokenOf(b.nextflow.headScript));
    expect(afterEnd.status).toBe(410);
    expect(afterEnd.body.message).toMatch(/has ended; its secret store is no longer handed out/);
    const bView = (await call('GET', `/runs/${b.run.id}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(bView.secrets.map((s: { state: string; lastError: string }) => [s.state, s.lastError])).toEqual(Array(3).fill(['not_created', 'never downloaded']));

    expect(await auditOf(a.run.id)).toEqual(['run.launch', 'run.download_refused (token of another run)', 'run.download_refused (late)']);
    expect(await auditOf(b.run.id)).toEqual(['run.launch', 'run.failed', 'run.download_refused (run ended)']);
    const none = await download(a.run.id);
    expect(none.status).toBe(401);
  });

  it('says which fields do not apply to an hpc run, and which an aws run needs', async () => {
    const { owner, workspaceId } = await hpcWorld();
    const hpc = await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { target: 'hpc', region: 'eu-west-1' } });
    expect(hpc.status).toBe(400);
    expect(hpc.body.message).toBe("Field 'region' applies only to target 'aws'; leave it out for an 'hpc' run, which relays nothing to AWS");
    const aws = await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { region: 'eu-west-1' } });
    expect(aws.status).toBe(400);
    expect(aws.body.message).toMatch(/^Field 'credentialsId' is required for target 'aws'/);
  });
});
