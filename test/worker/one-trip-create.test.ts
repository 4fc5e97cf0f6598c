/**
 * Creating credentials in one D1 round trip (issue 12): once this isolate has verified a caller, the insert travels in
 * the same batch as the caller's check, guarded in SQL by the same condition plus the presented token's hash. These
 * tests make sure a caller who would be refused is refused with nothing written, whatever the isolate remembers, and
 * that the answers are the ones the two-trip path gives.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../worker/src/index';
import { faultyD1 } from './faulty-d1';
import { admin, BASE, call, type Person, seedOrgWorkspace, seedUser } from './helpers';

/** A POST with a counting D1 binding: status, body and round trips before the answer. */
async function post(token: string, path: string, json: unknown) {
  const counter = faultyD1(env.DB, Number.POSITIVE_INFINITY);
  const ctx = createExecutionContext();
  const req = new Request(`${BASE}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  const res = await worker.fetch(req, { ...env, DB: counter.db }, ctx);
  const roundTrips = counter.calls();
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, roundTrips };
}

const create = (token: string, name: string, query = '', keys: Record<string, unknown> = { username: 'u', password: 'secret-value' }, provider = 'github') =>
  post(token, `/credentials${query}`, { credentials: { name, provider, keys } });

const rows = async (name: string) => (await env.DB.prepare('SELECT id, workspace_id, created_by FROM credentials WHERE name = ?').bind(name).all()).results;
const audits = async (name: string) => (await env.DB.prepare("SELECT actor_id, workspace_id FROM audit_events WHERE action = 'credentials.create' AND target_name = ?").bind(name).all()).results;

let me: Person;
beforeEach(async () => {
  me = await seedUser('onetrip');
  expect((await call('GET', '/user-info', { token: me.token })).status).toBe(200); // this isolate now knows the caller
});

describe('one-trip create', () => {
  it('writes the record and its audit row in the caller’s round trip, in the personal workspace or the one named', async () => {
    const personal = await create(me.token, 'p1');
    expect([personal.status, personal.roundTrips]).toEqual([200, 1]);
    expect(await rows('p1')).toEqual([{ id: personal.body.credentialsId, workspace_id: me.personalWorkspaceId, created_by: me.id }]);
    expect(await audits('p1')).toEqual([{ actor_id: me.id, workspace_id: me.personalWorkspaceId }]);
    // The secret opens: it was sealed for the workspace it was written to.
    const { workspaceId } = await seedOrgWorkspace([[me, 'admin']]);
    const named = await create(me.token, 'o1', `?workspaceId=${workspaceId}`);
    expect([named.status, named.roundTrips]).toEqual([200, 1]);
    expect((await rows('o1'))[0]).toMatchObject({ workspace_id: workspaceId, created_by: me.id });
    const described = await call('GET', `/credentials/${named.body.credentialsId}?workspaceId=${workspaceId}`, { token: me.token });
    expect(described.body.credentials).toMatchObject({ name: 'o1', keys: { username: 'u' } });
    expect(described.text).not.toContain('secret-value');
  });

  it('a caller not yet seen by this isolate takes two round trips, with the same answer', async () => {
    const fresh = await seedUser('unseen');
    // Its last use recorded already, so that write (once a minute, after the answer) is not counted here.
    await env.DB.prepare('UPDATE access_tokens SET last_used_at = ? WHERE user_id = ?').bind(new Date().toISOString(), fresh.id).run();
    const first = await create(fresh.token, 'u1');
    expect([first.status, first.roundTrips]).toEqual([200, 2]);
    expect((await create(fresh.token, 'u2')).roundTrips).toBe(1);
  });

  it('an altered, revoked or expired token gets 401 and writes nothing, though the isolate knows its id', async () => {
    const altered = me.token.slice(0, -1) + (me.token.endsWith('a') ? 'b' : 'a');
    const refused = await create(altered, 'alt');
    expect([refused.status, refused.roundTrips]).toEqual([401, 1]);
    expect(refused.body.message).toMatch(/not valid/);
    expect(await rows('alt')).toEqual([]);
    expect(await audits('alt')).toEqual([]);

    await env.DB.prepare("UPDATE access_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE user_id = ?").bind(me.id).run();
    const expired = await create(me.token, 'exp');
    expect([expired.status, expired.roundTrips]).toEqual([401, 1]);
    expect(expired.body.message).toMatch(/expired at 2020-01-01T00:00:00Z/);
    expect(await rows('exp')).toEqual([]);

    await env.DB.prepare('DELETE FROM access_tokens WHERE user_id = ?').bind(me.id).run();
    const revoked = await create(me.token, 'rev');
    expect(revoked.status).toBe(401);
    expect(await rows('rev')).toEqual([]);
    expect(await audits('rev')).toEqual([]);
  });

  it('a lowered role or a removed member is refused at once with nothing written', async () => {
    const { workspaceId } = await seedOrgWorkspace([[me, 'admin']]);
    expect((await create(me.token, 'before', `?workspaceId=${workspaceId}`)).status).toBe(200);
    expect((await admin('PUT', `/workspaces/${workspaceId}/members/${me.id}`, { role: 'view' })).status).toBe(204);
    const lowered = await create(me.token, 'lowered', `?workspaceId=${workspaceId}`);
    expect([lowered.status, lowered.roundTrips]).toEqual([403, 1]);
    expect(lowered.body.message).toMatch(/role in workspace 'pipelines' is 'view'/);
    expect(await rows('lowered')).toEqual([]);
    expect((await admin('DELETE', `/workspaces/${workspaceId}/members/${me.id}`)).status).toBe(204);
    const removed = await create(me.token, 'removed', `?workspaceId=${workspaceId}`);
    expect([removed.status, removed.roundTrips]).toEqual([404, 1]);
    expect(await rows('removed')).toEqual([]);
    expect(await audits('removed')).toEqual([]);
  });

  it('another user’s token, remembered by this isolate, writes only into its own personal workspace', async () => {
    const other = await seedUser('neighbour');
    expect((await call('GET', '/user-info', { token: other.token })).status).toBe(200);
    const mine = await create(other.token, 'theirs');
    expect(mine.status).toBe(200);
    expect(await rows('theirs')).toEqual([{ id: mine.body.credentialsId, workspace_id: other.personalWorkspaceId, created_by: other.id }]);
    const intoMine = await create(other.token, 'intrude', `?workspaceId=${me.personalWorkspaceId}`);
    expect(intoMine.status).toBe(404);
    expect(await rows('intrude')).toEqual([]);
  });

  it('a taken name is 409 with nothing changed, and field errors still come after the caller’s check', async () => {
    const first = await create(me.token, 'dup');
    expect(first.status).toBe(200);
    const again = await create(me.token, 'dup', '', { username: 'v', password: 'other' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/dup/);
    expect((await rows('dup')).map((r) => r.id)).toEqual([first.body.credentialsId]);
    expect(await audits('dup')).toHaveLength(1);
    // A rule that needs the workspace's kind (a shared agent in a personal workspace) is decided after the check.
    const shared = await create(me.token, 'agent', '', { connectionId: 'a'.repeat(12), shared: true }, 'tw-agent');
    expect(shared.status).toBe(400);
    expect(shared.body.message).toMatch(/credentials\.keys\.shared/);
    const strangerShared = await create(`lk_${'A'.repeat(22)}_${'B'.repeat(43)}`, 'agent2', '', { connectionId: 'a'.repeat(12), shared: true }, 'tw-agent');
    expect(strangerShared.status).toBe(401);
  });

  it('pipeline secrets the same way: one trip, refusals write nothing, a taken name is 409', async () => {
    const secretRows = async (name: string) => (await env.DB.prepare('SELECT id, workspace_id, created_by FROM pipeline_secrets WHERE name = ?').bind(name).all()).results;
    const made = await post(me.token, '/pipeline-secrets', { name: 'ONE_TRIP', value: 'secret-value' });
    expect([made.status, made.roundTrips]).toEqual([200, 1]);
    expect(await secretRows('ONE_TRIP')).toEqual([{ id: String(made.body.secretId), workspace_id: me.personalWorkspaceId, created_by: me.id }]);
    const again = await post(me.token, '/pipeline-secrets', { name: 'ONE_TRIP', value: 'other' });
    expect(again.status).toBe(409);
    expect(await secretRows('ONE_TRIP')).toHaveLength(1);
    const altered = me.token.slice(0, -1) + (me.token.endsWith('a') ? 'b' : 'a');
    expect((await post(altered, '/pipeline-secrets', { name: 'ALTERED', value: 'v' })).status).toBe(401);
    expect(await secretRows('ALTERED')).toEqual([]);
    const { workspaceId } = await seedOrgWorkspace([[me, 'launch']]);
    const lowered = await post(me.token, `/pipeline-secrets?workspaceId=${workspaceId}`, { name: 'LOWERED', value: 'v' });
    expect([lowered.status, lowered.roundTrips]).toEqual([403, 1]);
    expect(lowered.body.message).toMatch(/role in workspace 'pipelines' is 'launch'/);
    expect(await secretRows('LOWERED')).toEqual([]);
  });
});
