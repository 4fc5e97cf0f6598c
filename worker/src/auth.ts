/**
 * Who is calling: a personal access token (`Authorization: Bearer lk_…`), or, when configured, a Cloudflare Access
 * JWT mapped to a user by email. Administration uses ADMIN_TOKEN. One module owns these decisions.
 */
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type AppEnv, type Caller, requestActor } from './app';
import { getUserByEmail } from './directory';
import type { Env } from './env';
import { unauthorized } from './errors';
import { timingSafeEqualText, touchToken, verifyToken } from './tokens';

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

const jwksByOrigin = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The Access team's origin: "myteam.cloudflareaccess.com" → https://myteam.cloudflareaccess.com. */
export function accessOrigin(teamDomain: string): string {
  return /^https?:\/\//.test(teamDomain) ? teamDomain.replace(/\/+$/, '') : `https://${teamDomain.replace(/\/+$/, '')}`;
}

/** The email in a valid Cloudflare Access JWT for this application, or a reason it was refused. */
export async function verifyAccessJwt(env: Env, jwt: string): Promise<{ email: string } | { refused: string }> {
  const origin = accessOrigin(env.ACCESS_TEAM_DOMAIN!);
  let jwks = jwksByOrigin.get(origin);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(`${origin}/cdn-cgi/access/certs`));
    jwksByOrigin.set(origin, jwks);
  }
  try {
    // Access always sets exp; a token without one would never expire, so it is refused.
    const { payload } = await jwtVerify(jwt, jwks, { issuer: origin, audience: env.ACCESS_AUD!, requiredClaims: ['exp'] });
    if (typeof payload.email !== 'string' || payload.email === '') return { refused: 'The Cloudflare Access token carries no email' };
    return { email: payload.email.toLowerCase() };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const claim = (err as { claim?: string }).claim;
    const why =
      code === 'ERR_JWT_EXPIRED'
        ? 'has expired; sign in again'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'exp'
          ? 'has no expiry (exp) and is refused; sign in again through Cloudflare Access'
          : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
            ? 'is for another application or team'
            : 'could not be verified';
    return { refused: `The Cloudflare Access token ${why}` };
  }
}

async function resolveCaller(c: Parameters<Parameters<typeof createMiddleware<AppEnv>>[0]>[0]): Promise<Caller> {
  const env = c.env;
  const token = bearer(c.req.header('authorization'));
  if (token) {
    // One D1 read: the token with its user's id and personal workspace.
    const verdict = await verifyToken(env.DB, token);
    if ('refused' in verdict) throw unauthorized(verdict.refused);
    c.executionCtx.waitUntil(touchToken(env.DB, verdict.tokenId, verdict.tokenLastUsed).catch(() => undefined));
    return { userId: verdict.userId, personalWorkspaceId: verdict.personalWorkspaceId, tokenId: verdict.tokenId, tokenExpiresAt: verdict.tokenExpiresAt, actor: requestActor(c, 'user', verdict.userId) };
  }
  const jwt = c.req.header('cf-access-jwt-assertion');
  if (!jwt || !env.ACCESS_TEAM_DOMAIN || !env.ACCESS_AUD)
    throw unauthorized('Sign in: send Authorization: Bearer <access token> (create one with an administrator or at /tokens)');
  const verdict = await verifyAccessJwt(env, jwt);
  if ('refused' in verdict) throw unauthorized(verdict.refused);
  const user = await getUserByEmail(env.DB, verdict.email);
  if (!user) throw unauthorized(`No Latchkey user has the email ${verdict.email}; ask an administrator to add you`);
  return { userId: user.id, personalWorkspaceId: user.personal_workspace_id, tokenId: null, tokenExpiresAt: null, actor: requestActor(c, 'user', user.id) };
}

/** Resolves the caller once and sets it on the context; 401 with the reason otherwise. */
export const requireCaller = createMiddleware<AppEnv>(async (c, next) => {
  c.set('caller', await resolveCaller(c));
  await next();
});

/** ADMIN_TOKEN, compared in constant time; administration is off when the secret is unset. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw unauthorized('Administration over HTTP is disabled: ADMIN_TOKEN is not set on this worker');
  const presented = bearer(c.req.header('authorization'));
  if (!presented || !(await timingSafeEqualText(presented, expected))) throw unauthorized('Administration needs Authorization: Bearer <ADMIN_TOKEN>');
  c.set('adminActor', requestActor(c, 'admin', null));
  await next();
});
