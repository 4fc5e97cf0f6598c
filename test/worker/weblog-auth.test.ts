/**
 * The weblog with the run token as its Basic password (`weblog { url = '<origin>/weblog/<runId>'; basicToken =
 * 'run:<token>' }`), so the token need not sit in a URL Nextflow logs; the old `?token=` URL keeps working. Events are
 * the real payloads in test/fixtures/weblog.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import completedEvent from '../fixtures/weblog/completed.json';
import errorEvent from '../fixtures/weblog/error.json';
import processCompletedEvent from '../fixtures/weblog/process_completed.json';
import startedEvent from '../fixtures/weblog/started.json';
import { accountsLeftEmpty, launchedRun, pathOf, standIn } from './aws';
import { call, dumpTables, ws } from './helpers';
import { RUN_TOKEN_KEY_TEST } from './keys';

const account = accountsLeftEmpty();

async function launched(secretCount: number) {
  const run = await launchedRun(account, secretCount);
  return { ...run, weblogPath: `/weblog/${run.runId}` };
}

/** What Nextflow sends for `basicToken = 'USER:PASSWORD'`: Authorization: Basic base64(USER:PASSWORD). */
const basic = (userAndPassword: string) => ({ authorization: `Basic ${btoa(userAndPassword)}` });

describe('weblog with the run token as its Basic password', () => {
  it("takes a run from started to succeeded with basicToken = 'run:<token>' and no token in the URL, deleting its secrets", async () => {
    const { owner, workspaceId, aws, runId, token, weblogPath } = await launched(3);
    const headers = basic(`run:${token}`);
    const started = await call('POST', weblogPath, { headers, json: startedEvent });
    expect(started.status, started.text).toBe(200);
    expect(started.body).toEqual({ event: 'started', handled: true, state: 'running', secretsLeft: 3 });
    expect((await call('POST', weblogPath, { headers, json: processCompletedEvent })).body).toMatchObject({ handled: false, state: 'running' });
    const done = await call('POST', weblogPath, { headers, json: completedEvent });
    expect(done.body).toEqual({ event: 'completed', handled: true, state: 'succeeded', secretsLeft: 0 });
    expect((await standIn(aws)).secrets).toEqual([]);
    const run = (await call('GET', `/runs/${runId}${ws(workspaceId)}`, { token: owner.token })).body.run;
    expect(run).toMatchObject({ state: 'succeeded', nextflowRunName: 'serene_babbage' });
  });

  it('accepts any user name (it is not a secret), a Bearer token, and the old ?token= URL', async () => {
    const one = await launched(1);
    expect((await call('POST', one.weblogPath, { headers: basic(`nextflow:${one.token}`), json: errorEvent })).body).toMatchObject({ state: 'failed', secretsLeft: 0 });
    const two = await launched(1);
    expect((await call('POST', two.weblogPath, { headers: basic(`:${two.token}`), json: completedEvent })).body).toMatchObject({ state: 'succeeded', secretsLeft: 0 });
    const three = await launched(1);
    expect((await call('POST', three.weblogPath, { headers: { authorization: `Bearer ${three.token}` }, json: completedEvent })).body.secretsLeft).toBe(0);
    const four = await launched(2);
    const old = await call('POST', pathOf(four.completionUrl), { json: completedEvent });
    expect(old.status, old.text).toBe(200);
    expect(old.body).toEqual({ event: 'completed', handled: true, state: 'succeeded', secretsLeft: 0 });
  });

  it('when the URL carries ?token=, that token decides, whatever Authorization says', async () => {
    const { owner, completionUrl } = await launched(1);
    // A caller's own access token in Authorization (e.g. a proxy adds it) does not hide the URL's run token.
    const res = await call('POST', pathOf(completionUrl), { token: owner.token, json: completedEvent });
    expect(res.status, res.text).toBe(200);
    expect(res.body.secretsLeft).toBe(0);
  });

  it('refuses forged, expired, other-run, malformed and missing Basic tokens with 401, before the body, changing nothing', async () => {
    const a = await launched(2);
    const b = await launched(1);
    const key = new TextEncoder().encode(RUN_TOKEN_KEY_TEST);
    const expired = await new SignJWT({ scope: 'run:complete' })
      .setProtectedHeader({ alg: 'HS256' }).setIssuer('latchkey').setAudience('latchkey:run-completion').setSubject(a.runId)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(key);
    const forged = await new SignJWT({ scope: 'run:complete' })
      .setProtectedHeader({ alg: 'HS256' }).setIssuer('latchkey').setAudience('latchkey:run-completion').setSubject(a.runId)
      .setExpirationTime('1h').sign(new TextEncoder().encode('another-key-that-is-long-enough-000000'));
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['another run', basic(`run:${b.token}`), /belongs to another run/],
      ['expired', basic(`run:${expired}`), /has expired/],
      ['forged', basic(`run:${forged}`), /not valid/],
      ['tampered', basic(`run:${a.token.slice(0, -3)}AAA`), /not valid/],
      ['the token as user name', basic(`${a.token}:`), /no password/],
      ['no colon', basic(a.token), /no password/],
      ['not base64', { authorization: 'Basic %%%not-base64%%%' }, /neither 'Bearer/],
      ['bad base64', { authorization: 'Basic abc' }, /not valid base64/],
      ['not UTF-8', { authorization: `Basic ${btoa('run:\xff\xfe')}` }, /not valid base64/],
      ['none', {}, /no run token: no Authorization header and no 'token' query parameter; set weblog\.basicToken/],
    ];
    const before = JSON.stringify(await dumpTables());
    for (const [what, headers, message] of cases) {
      const res = await call('POST', a.weblogPath, { headers, json: completedEvent });
      expect(res.status, `${what}: ${res.text}`).toBe(401);
      expect(res.body.message, what).toMatch(message);
      expect(res.text, what).not.toContain(a.token);
      expect((await call('POST', a.weblogPath, { headers, raw: '{bad' })).status, `${what} with a bad body`).toBe(401);
    }
    // The old URL form still refuses another run's token even with the right Basic token beside it: the URL decides.
    expect((await call('POST', `${a.weblogPath}?token=${b.token}`, { headers: basic(`run:${a.token}`), json: completedEvent })).status).toBe(401);
    expect(JSON.stringify(await dumpTables()), 'a refused weblog call changed D1').toBe(before);
    expect((await standIn(a.aws)).secrets).toHaveLength(2);
    for (const r of [a, b]) expect((await call('POST', r.weblogPath, { headers: basic(`run:${r.token}`), json: completedEvent })).body.secretsLeft).toBe(0);
  });
});
