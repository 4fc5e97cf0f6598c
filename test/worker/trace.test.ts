/**
 * Nextflow's Tower trace API driven with the payloads Nextflow sends (test/fixtures/trace), against a run launched
 * into the Secrets Manager stand-in: create → begin → progress → heartbeat → complete moves the run from launched to
 * running to succeeded or failed and deletes its secrets; tokens that are forged, expired, for another run or absent
 * are refused with 401 before the body is read, changing nothing.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import beginFixture from '../fixtures/trace/begin.json';
import completeFailedFixture from '../fixtures/trace/complete-failed.json';
import completeFixture from '../fixtures/trace/complete.json';
import createFixture from '../fixtures/trace/create.json';
import heartbeatFixture from '../fixtures/trace/heartbeat.json';
import progressFixture from '../fixtures/trace/progress.json';
import { accountsLeftEmpty, launchedRun, pathOf, standIn } from './aws';
import { call, dumpTables, type Person, ws } from './helpers';
import { RUN_TOKEN_KEY_TEST } from './keys';

const account = accountsLeftEmpty();
const launched = (secretCount: number) => launchedRun(account, secretCount, { runName: 'rnaseq' });

/** A fixture as Nextflow would send it for this run: the workflow id and watch URL /trace/create answered filled in. */
function payload(fixture: unknown, runId: string, watchUrl = 'https://latchkey.test/runs/x'): unknown {
  return JSON.parse(JSON.stringify(fixture).replaceAll('WORKFLOW_ID', runId).replaceAll('WATCH_URL', watchUrl));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** Nextflow's form for a token that is not JWT-shaped: Basic with the user name '@token'. */
const basicAtToken = (token: string) => ({ authorization: `Basic ${btoa(`@token:${token}`)}` });

const trace = (method: 'POST' | 'PUT', path: string, headers: Record<string, string>, json: unknown) => call(method, `/trace${path}`, { headers, json });

async function runOf(owner: Person, workspaceId: string, runId: string) {
  const res = await call('GET', `/runs/${runId}${ws(workspaceId)}`, { token: owner.token });
  expect(res.status, res.text).toBe(200);
  return res.body.run;
}

describe("Nextflow's Tower trace API", () => {
  it('drives a run through create, begin, progress, heartbeat and complete: running, then succeeded, its secrets deleted', async () => {
    const { owner, workspaceId, aws, runId, token } = await launched(3);
    const auth = bearer(token);

    const created = await trace('POST', '/create', auth, createFixture);
    expect(created.status, created.text).toBe(200);
    const watchUrl = `https://latchkey.test/runs/${runId}?workspaceId=${workspaceId}`;
    expect(created.body).toEqual({ workflowId: runId, watchUrl, state: 'launched', secretsLeft: 3 });
    // The watch URL is the run's record, readable with an access token.
    expect((await call('GET', pathOf(watchUrl), { token: owner.token })).body.run.id).toBe(runId);

    const begun = await trace('PUT', `/${runId}/begin`, auth, payload(beginFixture, runId, watchUrl));
    expect(begun.status, begun.text).toBe(200);
    expect(begun.body).toEqual({ workflowId: runId, watchUrl, state: 'running', secretsLeft: 3 });
    const running = await runOf(owner, workspaceId, runId);
    expect(running).toMatchObject({ state: 'running', nextflowRunName: 'golden_curie' });
    expect(running.startedAt).not.toBeNull();

    for (const [path, body] of [[`/${runId}/progress`, progressFixture], [`/${runId}/heartbeat`, heartbeatFixture]] as const) {
      const res = await trace('PUT', path, auth, payload(body, runId, watchUrl));
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      expect(res.body).toEqual({ workflowId: runId, state: 'running', secretsLeft: 3 });
    }
    expect((await standIn(aws)).secrets).toHaveLength(3);

    const done = await trace('PUT', `/${runId}/complete`, auth, payload(completeFixture, runId, watchUrl));
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ workflowId: runId, state: 'succeeded', secretsLeft: 0 });
    expect((await standIn(aws)).secrets).toEqual([]);
    const after = await runOf(owner, workspaceId, runId);
    expect(after.state).toBe('succeeded');
    expect(after.cleanedAt).not.toBeNull();
    expect(after.secrets.every((s: { state: string }) => s.state === 'deleted')).toBe(true);
    const audit = await call('GET', `/audit${ws(workspaceId)}`, { token: owner.token });
    expect(JSON.stringify(audit.body)).toContain('run.succeeded');

    // A retried complete (Nextflow retries on timeouts) and late progress change nothing and still answer 2xx.
    const deletes = (await standIn(aws)).calls.DeleteSecret;
    expect((await trace('PUT', `/${runId}/complete`, auth, payload(completeFailedFixture, runId))).body).toEqual({ workflowId: runId, state: 'succeeded', secretsLeft: 0 });
    expect((await trace('PUT', `/${runId}/progress`, auth, payload(progressFixture, runId))).body).toEqual({ workflowId: runId, state: 'succeeded', secretsLeft: 0 });
    expect((await standIn(aws)).calls.DeleteSecret).toBe(deletes);
    // A second Nextflow run with the same token (e.g. -resume) is stopped before any task runs: its secrets are gone.
    const again = await trace('POST', '/create', auth, createFixture);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`Run '${runId}' has already ended (succeeded) and its secrets were deleted; launch a new run and use its token`);
    expect((await trace('PUT', `/${runId}/begin`, auth, payload(beginFixture, runId))).status).toBe(409);
    expect((await runOf(owner, workspaceId, runId)).state).toBe('succeeded');
  });

  it("ends a run as failed from workflow.success = false, with Basic '@token:<token>' and ?workspaceId= as Nextflow sends them", async () => {
    const { owner, workspaceId, aws, runId, token } = await launched(2);
    const auth = basicAtToken(token);
    const q = '?workspaceId=281474976710655'; // TOWER_WORKSPACE_ID as Nextflow appends it: ignored, the token decides
    expect((await trace('POST', `/create${q}`, auth, createFixture)).body).toMatchObject({ workflowId: runId, state: 'launched' });
    expect((await trace('PUT', `/${runId}/begin${q}`, auth, payload(beginFixture, runId))).body.state).toBe('running');
    expect((await trace('PUT', `/${runId}/progress${q}`, auth, payload(progressFixture, runId))).status).toBe(200);
    const done = await trace('PUT', `/${runId}/complete${q}`, auth, payload(completeFailedFixture, runId));
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ workflowId: runId, state: 'failed', secretsLeft: 0 });
    expect((await standIn(aws)).secrets).toEqual([]);
    expect((await runOf(owner, workspaceId, runId)).state).toBe('failed');
  });

  it('completes a run that was never begun (Nextflow failed between create and begin)', async () => {
    const { owner, workspaceId, runId, token } = await launched(1);
    expect((await trace('POST', '/create', bearer(token), createFixture)).status).toBe(200);
    expect((await trace('PUT', `/${runId}/complete`, bearer(token), payload(completeFailedFixture, runId))).body.state).toBe('failed');
    expect((await runOf(owner, workspaceId, runId)).startedAt).toBeNull();
  });

  it('refuses forged, expired, other-run, misplaced and missing tokens with 401 on every call, before the body, changing nothing', async () => {
    const a = await launched(2);
    const b = await launched(1);
    const key = new TextEncoder().encode(RUN_TOKEN_KEY_TEST);
    const sign = (sub: string, exp: number | string, k = key) =>
      new SignJWT({ scope: 'run:complete' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('latchkey').setAudience('latchkey:run-completion').setSubject(sub).setExpirationTime(exp).sign(k);
    const expired = await sign(a.runId, Math.floor(Date.now() / 1000) - 10);
    const wrongKey = await sign(a.runId, '1h', new TextEncoder().encode('another-key-that-is-long-enough-000000'));
    const tampered = a.token.slice(0, -3) + 'AAA';
    const tokens: Array<[string, Record<string, string>, RegExp]> = [
      ['another run', bearer(b.token), /belongs to another run/],
      ['expired', bearer(expired), /has expired/],
      ['another key', bearer(wrongKey), /not valid/],
      ['tampered', bearer(tampered), /not valid/],
      ['not a JWT', bearer('not-a-jwt'), /not valid/],
      ["a person's access token", bearer(a.owner.token), /not valid/],
      ['none', {}, /no run token.*TOWER_ACCESS_TOKEN/],
      ['basic without password', { authorization: `Basic ${btoa('run:')}` }, /no password/],
      ['another scheme', { authorization: `Token ${a.token}` }, /neither 'Bearer/],
    ];
    const calls: Array<['POST' | 'PUT', string, unknown]> = [
      ['PUT', `/${a.runId}/begin`, payload(beginFixture, a.runId)],
      ['PUT', `/${a.runId}/progress`, payload(progressFixture, a.runId)],
      ['PUT', `/${a.runId}/heartbeat`, heartbeatFixture],
      ['PUT', `/${a.runId}/complete`, payload(completeFixture, a.runId)],
    ];
    const before = JSON.stringify(await dumpTables());
    for (const [what, headers, message] of tokens) {
      for (const [method, path, body] of calls) {
        const res = await trace(method, path, headers, body);
        expect(res.status, `${what} ${path}: ${res.text}`).toBe(401);
        expect(res.body.message, `${what} ${path}`).toMatch(message);
        expect((await call(method, `/trace${path}`, { headers, raw: '{bad' })).status, `${what} ${path} with a bad body`).toBe(401);
      }
      if (what !== 'another run') {
        const created = await trace('POST', '/create', headers, createFixture);
        expect(created.status, `${what} create`).toBe(401);
        expect(created.body.message).toMatch(message);
      }
    }
    // The old URL form is the weblog's, not the trace API's: a token in the URL is not read here.
    expect((await call('PUT', `/trace/${a.runId}/complete?token=${a.token}`, { json: payload(completeFixture, a.runId) })).status).toBe(401);
    expect(JSON.stringify(await dumpTables()), 'a refused trace call changed D1').toBe(before);
    expect((await standIn(a.aws)).secrets).toHaveLength(2);
    // A valid token for a run that does not exist answers 404 at create.
    expect((await trace('POST', '/create', bearer(await sign('NoSuchRun0000000', '1h')), createFixture)).status).toBe(404);
    for (const r of [a, b]) expect((await trace('PUT', `/${r.runId}/complete`, bearer(r.token), payload(completeFixture, r.runId))).body.secretsLeft).toBe(0);
  });

  it('accepts the unknown fields Nextflow sends, and names the field it cannot do without', async () => {
    const { owner, workspaceId, runId, token } = await launched(1);
    const auth = bearer(token);
    const noSuccess = payload(completeFixture, runId) as { workflow: Record<string, unknown> };
    delete noSuccess.workflow.success;
    const res = await trace('PUT', `/${runId}/complete`, auth, noSuccess);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Field 'workflow.success' is required");
    const noSession = { ...createFixture, sessionId: undefined };
    expect((await trace('POST', '/create', auth, noSession)).body.message).toBe("Field 'sessionId' is required");
    expect((await runOf(owner, workspaceId, runId)).state).toBe('launched');
    // Future Nextflow versions add fields anywhere: still accepted.
    const future = { ...(payload(progressFixture, runId) as object), newTopLevel: { x: [1, 2] } };
    expect((await trace('PUT', `/${runId}/progress`, auth, future)).status).toBe(200);
    expect((await trace('PUT', `/${runId}/heartbeat`, auth, {})).status).toBe(200);
    expect((await trace('PUT', `/${runId}/complete`, auth, payload(completeFixture, runId))).body.secretsLeft).toBe(0);
  });
});
