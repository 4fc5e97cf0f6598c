import { env } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_AUD_TEST } from './keys';
import { admin, call, seedUser } from './helpers';

async function accessJwt(claims: Record<string, unknown>, opts: { aud?: string; iss?: string; exp?: string | number | null; kid?: string } = {}) {
  const key = await importJWK(JSON.parse(env.ACCESS_TEST_PRIVATE_JWK), 'RS256');
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'test-key' })
    .setIssuer(opts.iss ?? env.ACCESS_TEAM_DOMAIN!)
    .setAudience(opts.aud ?? ACCESS_AUD_TEST)
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? '5m');
  return jwt.sign(key);
}

const auditOf = async (workspaceId: string) =>
  (await env.DB.prepare('SELECT action, target_id, target_name, actor_kind, actor_id FROM audit_events WHERE workspace_id = ? ORDER BY id').bind(workspaceId).all<Record<string, string>>()).results;
const days = (iso: string) => (Date.parse(iso) - Date.now()) / 86_400_000;

describe('access tokens', () => {
  it('identifies the caller, and stores only a SHA-256 of the token', async () => {
    const me = await seedUser();
    const info = await call('GET', '/user-info', { token: me.token });
    expect(info.status).toBe(200);
    // Seqera's int64 ids are JSON numbers in Seqera's operations.
    expect(info.body.user).toMatchObject({ id: Number(me.id), userName: me.userName, personalWorkspaceId: Number(me.personalWorkspaceId) });
    const rows = (await env.DB.prepare('SELECT * FROM access_tokens WHERE user_id = ?').bind(me.id).all()).results;
    expect(JSON.stringify(rows)).not.toContain(me.token.split('_')[2]);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(me.token));
    expect(rows[0]?.token_sha256).toBe([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
  });

  it('refuses missing, malformed, unknown, altered, revoked and expired tokens with the reason', async () => {
    const me = await seedUser();
    const altered = me.token.slice(0, -1) + (me.token.endsWith('a') ? 'b' : 'a');
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /Sign in: send Authorization: Bearer/],
      ['garbage', /malformed/],
      [`lk_${'A'.repeat(22)}_${'B'.repeat(43)}`, /not valid: it was revoked or never existed/],
      [altered, /not valid/],
    ];
    for (const [token, message] of cases) {
      const res = await call('GET', '/credentials', { token });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(message);
    }
    const tokens = await call('GET', '/tokens', { token: me.token });
    expect(tokens.body.tokens).toHaveLength(1);
    expect(tokens.text).not.toContain(me.token);
    expect((await call('DELETE', `/tokens/${tokens.body.tokens[0].id}`, { token: me.token })).status).toBe(204);
    expect((await call('GET', '/user-info', { token: me.token })).status).toBe(401);

    const other = await seedUser();
    await env.DB.prepare("UPDATE access_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE user_id = ?").bind(other.id).run();
    const expired = await call('GET', '/user-info', { token: other.token });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired at 2020-01-01T00:00:00Z/);
  });

  it('lets a user mint, list and revoke their own tokens, shown once; others cannot revoke them', async () => {
    const me = await seedUser();
    const stranger = await seedUser();
    const minted = await call('POST', '/tokens', { token: me.token, json: { name: 'laptop', expiresInDays: 30 } });
    expect(minted.status).toBe(200);
    expect(minted.body.accessKey).toMatch(/^lk_[A-Za-z0-9]{22}_[A-Za-z0-9]{43}$/);
    expect(Date.parse(minted.body.token.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await call('GET', '/user-info', { token: minted.body.accessKey })).status).toBe(200);
    expect((await call('POST', '/tokens', { token: me.token, json: { name: 'laptop' } })).status).toBe(409);
    expect((await call('POST', '/tokens', { token: me.token, json: { name: 'bad name!' } })).status).toBe(400);
    expect((await call('DELETE', `/tokens/${minted.body.token.id}`, { token: stranger.token })).status).toBe(404);
    expect((await call('GET', '/user-info', { token: minted.body.accessKey })).status).toBe(200);
  });

  it('never lets a token made with a token outlive or survive it, and audits every create and revoke', async () => {
    const me = await seedUser();
    // The seeded token was made by the administrator without expiry; a token made with it still expires.
    const child = await call('POST', '/tokens', { token: me.token, json: { name: 'child' } });
    expect(child.status, child.text).toBe(200);
    expect(days(child.body.token.expiresAt)).toBeGreaterThan(89.9);
    expect(days(child.body.token.expiresAt)).toBeLessThanOrEqual(90);
    const tooLong = await call('POST', '/tokens', { token: me.token, json: { name: 'forever', expiresInDays: 3650 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toBe("Field 'expiresInDays' must be at most 90 days (the operator's ACCESS_TOKEN_MAX_DAYS); ask for fewer days or leave it out for the longest allowed");

    // A grandchild ends with its parent: capped when no expiry is asked, refused when more is asked.
    const short = await call('POST', '/tokens', { token: me.token, json: { name: 'short', expiresInDays: 2 } });
    const grandchild = await call('POST', '/tokens', { token: short.body.accessKey, json: { name: 'grandchild' } });
    expect(grandchild.body.token.expiresAt).toBe(short.body.token.expiresAt);
    const longer = await call('POST', '/tokens', { token: short.body.accessKey, json: { name: 'longer', expiresInDays: 30 } });
    expect(longer.status).toBe(400);
    expect(longer.body.message).toMatch(/^Field 'expiresInDays' must end by .+, when the token you are using expires: a token made with a token never outlives it/);
    const greatGrandchild = await call('POST', '/tokens', { token: grandchild.body.accessKey, json: { name: 'great', expiresInDays: 1 } });
    expect(greatGrandchild.status).toBe(200);

    // Revoking a token revokes everything made with it, and nothing else.
    const revoke = await call('DELETE', `/tokens/${short.body.token.id}`, { token: me.token });
    expect(revoke.status).toBe(204);
    for (const t of [short, grandchild, greatGrandchild]) expect((await call('GET', '/user-info', { token: t.body.accessKey })).status).toBe(401);
    expect((await call('GET', '/user-info', { token: child.body.accessKey })).status).toBe(200);
    expect((await call('GET', '/user-info', { token: me.token })).status).toBe(200);
    // The administrator revoking the user's first token takes every token made from it.
    expect((await admin('DELETE', `/tokens/${(await call('GET', '/tokens', { token: me.token })).body.tokens.find((t: { name: string }) => t.name === 'tests').id}`)).status).toBe(204);
    expect((await call('GET', '/user-info', { token: child.body.accessKey })).status).toBe(401);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM access_tokens WHERE user_id = ?').bind(me.id).first<{ n: number }>())?.n).toBe(0);

    const audit = await auditOf(me.personalWorkspaceId);
    expect(audit.map((e) => `${e.action} ${e.target_name} ${e.actor_kind}`)).toEqual([
      'access-token.create tests admin',
      'access-token.create child user',
      'access-token.create short user',
      'access-token.create grandchild user',
      'access-token.create great user',
      'access-token.revoke short and 2 token(s) made with it user',
      'access-token.revoke tests and 1 token(s) made with it admin',
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/lk_[A-Za-z0-9]{22}_/);
  });

  it('caps the tokens an Access session makes, which have no parent', async () => {
    const me = await seedUser();
    const jwt = await accessJwt({ email: me.email });
    const made = await call('POST', '/tokens', { headers: { 'cf-access-jwt-assertion': jwt }, json: { name: 'from-sso' } });
    expect(made.status, made.text).toBe(200);
    expect(days(made.body.token.expiresAt)).toBeGreaterThan(89.9);
    expect((await call('POST', '/tokens', { headers: { 'cf-access-jwt-assertion': jwt }, json: { name: 'sso-long', expiresInDays: 91 } })).status).toBe(400);
    expect((await env.DB.prepare('SELECT parent_id FROM access_tokens WHERE id = ?').bind(made.body.token.id).first())?.parent_id).toBeNull();
  });

  it('records when a token was last used', async () => {
    const me = await seedUser();
    expect((await env.DB.prepare('SELECT last_used_at FROM access_tokens WHERE user_id = ?').bind(me.id).first())?.last_used_at).toBeNull();
    await call('GET', '/user-info', { token: me.token });
    await expect
      .poll(async () => (await env.DB.prepare('SELECT last_used_at FROM access_tokens WHERE user_id = ?').bind(me.id).first())?.last_used_at, { timeout: 2000 })
      .toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('guards /admin with ADMIN_TOKEN', async () => {
    const me = await seedUser();
    expect((await call('GET', '/admin/users')).status).toBe(401);
    expect((await call('GET', '/admin/users', { token: me.token })).status).toBe(401);
    expect((await call('GET', '/admin/users', { token: 'test-admin-token-0123456789abcdeX' })).status).toBe(401);
    expect((await admin('GET', '/users')).status).toBe(200);
  });

  it('administers users, organizations, workspaces and memberships with clear conflicts', async () => {
    const me = await seedUser();
    const dupName = await admin('POST', '/users', { userName: me.userName, email: 'other@example.com' });
    expect(dupName.status).toBe(409);
    expect(dupName.body.message).toMatch(/user name/);
    const dupEmail = await admin('POST', '/users', { userName: 'someone-else', email: me.email.toUpperCase() });
    expect(dupEmail.status).toBe(409);
    expect(dupEmail.body.message).toMatch(/email/);
    expect((await admin('POST', '/users', { userName: 'x', email: 'not-an-email' })).body.message).toMatch(/Field 'userName'.*Field 'email' must be an email address/);
    const org = await admin('POST', '/organizations', { name: 'acme', fullName: 'Acme Corp' });
    expect((await admin('POST', '/organizations', { name: 'ACME' })).status).toBe(409);
    const w = await admin('POST', `/organizations/${org.body.orgId}/workspaces`, { name: 'genomics' });
    expect((await admin('POST', `/organizations/${org.body.orgId}/workspaces`, { name: 'genomics' })).status).toBe(409);
    expect((await admin('POST', '/organizations/123456789012345/workspaces', { name: 'x1' })).status).toBe(404);
    expect((await admin('PUT', `/workspaces/${w.body.workspaceId}/members/${me.id}`, { role: 'boss' })).body.message).toMatch(/Field 'role' must be one of owner, admin/);
    expect((await admin('PUT', `/workspaces/${w.body.workspaceId}/members/${me.id}`, { role: 'view' })).status).toBe(204);
    expect((await admin('PUT', `/workspaces/${me.personalWorkspaceId}/members/${me.id}`, { role: 'view' })).status).toBe(409);
    const listed = await call('GET', '/workspaces', { token: me.token });
    expect(listed.body.workspaces).toEqual([
      { id: me.personalWorkspaceId, name: me.userName, fullName: `${me.userName} (personal)`, kind: 'personal', orgId: null, orgName: null, role: 'owner' },
      { id: w.body.workspaceId, name: 'genomics', fullName: 'genomics', kind: 'organization', orgId: org.body.orgId, orgName: 'acme', role: 'view' },
    ]);
    const seqera = await call('GET', `/user/${me.id}/workspaces`, { token: me.token });
    // As Seqera lists them: the personal workspace (the user context), the organization's row, then its workspaces.
    expect(seqera.body.orgsAndWorkspaces).toEqual([
      { roles: ['owner'] },
      { orgId: Number(org.body.orgId), orgName: 'acme', roles: ['member'] },
      { orgId: Number(org.body.orgId), orgName: 'acme', workspaceId: Number(w.body.workspaceId), workspaceName: 'genomics', workspaceFullName: 'genomics', visibility: 'PRIVATE', roles: ['view'] },
    ]);
    expect((await admin('DELETE', `/workspaces/${w.body.workspaceId}/members/${me.id}`)).status).toBe(204);
    expect((await call('GET', '/workspaces', { token: me.token })).body.workspaces).toHaveLength(1);
    expect((await admin('DELETE', `/workspaces/${me.personalWorkspaceId}/members/${me.id}`)).status).toBe(404);
  });
});

describe('Cloudflare Access single sign-on', () => {
  it('maps a valid Access JWT to the user with that email', async () => {
    const me = await seedUser();
    const jwt = await accessJwt({ email: me.email.toUpperCase(), sub: 'x' });
    const res = await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': jwt } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user.id).toBe(Number(me.id));
    const info = await call('GET', '/service-info');
    expect(info.body.serviceInfo.authTypes).toEqual(['token', 'cloudflare-access']);
  });

  it('refuses a JWT for another audience or issuer, an expired one, a forged one, or an unknown email', async () => {
    const me = await seedUser();
    const cases: Array<[Promise<string>, RegExp]> = [
      [accessJwt({ email: me.email }, { aud: 'someone-else' }), /another application or team/],
      [accessJwt({ email: me.email }, { iss: 'https://evil.example' }), /another application or team/],
      [accessJwt({ email: me.email }, { exp: Math.floor(Date.now() / 1000) - 60 }), /has expired/],
      [accessJwt({ email: me.email }, { exp: null }), /has no expiry \(exp\) and is refused/],
      [accessJwt({ email: 'nobody@example.com' }), /No Latchkey user has the email nobody@example.com/],
      [accessJwt({ sub: 'no-email' }), /carries no email/],
    ];
    for (const [jwtPromise, message] of cases) {
      const res = await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': await jwtPromise } });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(message);
    }
    const good = await accessJwt({ email: me.email });
    const [h, p, s] = good.split('.');
    const forged = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    const res = await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': forged } });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/could not be verified/);
    // Only RS256: a token made with HMAC over the team's published key id (the public key as its secret) is refused.
    const publicJwk = { ...JSON.parse(env.ACCESS_TEST_PRIVATE_JWK) };
    for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) delete publicJwk[k];
    const hmac = await new SignJWT({ email: me.email })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-key' })
      .setIssuer(env.ACCESS_TEAM_DOMAIN!)
      .setAudience(ACCESS_AUD_TEST)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    const confused = await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': hmac } });
    expect(confused.status).toBe(401);
    expect(confused.body.message).toMatch(/could not be verified/);
  });

  it('refuses a JWT whose key the team does not publish, fetching the team keys again at most once per cool-down', async () => {
    const me = await seedUser();
    const fetches = async () => ((await (await fetch(`${env.ACCESS_TEAM_DOMAIN}/fetches`)).json()) as { fetches: number }).fetches;
    // The team's keys are known (fetched now if this isolate had not yet): a known key id needs no fetch.
    expect((await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': await accessJwt({ email: me.email }) } })).status).toBe(200);
    const before = await fetches();
    expect((await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': await accessJwt({ email: me.email }) } })).status).toBe(200);
    expect(await fetches()).toBe(before);
    // An unknown key id: refused, after at most one fetch to look for a new key; the next one within the cool-down
    // fetches nothing, and the known key still works.
    for (let i = 0; i < 2; i++) {
      const res = await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': await accessJwt({ email: me.email }, { kid: 'rotated-away' }) } });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/could not be verified/);
    }
    expect(await fetches()).toBeLessThanOrEqual(before + 1);
    expect((await call('GET', '/user-info', { headers: { 'cf-access-jwt-assertion': await accessJwt({ email: me.email }) } })).status).toBe(200);
  });
});

describe('cost per request', () => {
  it('resolves the caller once: a list is one D1 round trip (token, user, workspace role and the list in one batch)', async () => {
    const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
    const { default: worker } = await import('../../worker/src/index');
    const { faultyD1 } = await import('./faulty-d1');
    const me = await seedUser();
    await call('GET', '/user-info', { token: me.token }); // the once-a-minute last-used write happens here
    for (const path of ['/credentials', '/pipeline-secrets', '/runs']) {
      const counted = faultyD1(env.DB, Number.POSITIVE_INFINITY);
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`https://latchkey.test${path}`, { headers: { authorization: `Bearer ${me.token}` } }), { ...env, DB: counted.db }, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(200);
      expect(counted.calls(), path).toBe(1);
    }
  });
});
