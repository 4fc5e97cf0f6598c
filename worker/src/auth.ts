/**
 * Who is calling: a personal access token (`Authorization: Bearer lk_…`), or, when configured, a Cloudflare Access
 * JWT mapped to a user by email. Administration uses ADMIN_TOKEN. One module owns these decisions.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { type JWSHeaderParameters, jwtVerify } from 'jose';
import type { PERMISSIONS } from '../../shared/roles';
import { type AppEnv, type Caller, requestActor } from './app';
import type { Actor } from './audit';
import { assertPermission, type CallerRow, callerStatement, type Principal, personalScope, userScope, workspaceAccessOf, workspaceScope, writeGuard } from './directory';
import type { Env } from './env';
import { unauthorized } from './errors';
import { nowIso } from './ids';
import { inserted, type ListQuery, type SqlPart } from './sql';
import { MALFORMED_TOKEN, REVOKED_TOKEN, sha256Hex, timingSafeEqualText, tokenIdOf, touchToken } from './tokens';

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** The Access team's origin: "myteam.cloudflareaccess.com" → https://myteam.cloudflareaccess.com. */
export function accessOrigin(teamDomain: string): string {
  return /^https?:\/\//.test(teamDomain) ? teamDomain.replace(/\/+$/, '') : `https://${teamDomain.replace(/\/+$/, '')}`;
}

/** The team's signing keys are fetched again after this long … */
const CERTS_MAX_AGE_MS = 10 * 60_000;
/** … or when a token names a key not among them, but not more often than this. */
const CERTS_COOLDOWN_MS = 30_000;

interface AccessCerts {
  at: number;
  /** The team's RS256 signing keys (public JWKs) by key id, imported on first use. */
  keys: Map<string, { jwk: JsonWebKey; key?: Promise<CryptoKey> }>;
}

/** Each Access team's signing keys, kept by this isolate. */
const certsByOrigin = new Map<string, AccessCerts>();

/** The team's JSON Web Key Set from `<origin>/cdn-cgi/access/certs` (Access signs with RS256). */
async function fetchAccessCerts(origin: string): Promise<AccessCerts> {
  const res = await fetch(`${origin}/cdn-cgi/access/certs`, {
    redirect: 'manual', headers: { accept: 'application/json, application/jwk-set+json' }, signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 200) throw new Error(`The Access certs answered ${res.status}`);
  const { keys } = (await res.json()) as { keys?: unknown };
  const certs: AccessCerts = { at: Date.now(), keys: new Map() };
  const ambiguous = new Set<string>();
  for (const jwk of Array.isArray(keys) ? (keys as Array<JsonWebKey & { kid?: unknown }>) : [])
    if (jwk.kty === 'RSA' && typeof jwk.kid === 'string' && (jwk.use ?? 'sig') === 'sig' && (jwk.alg ?? 'RS256') === 'RS256') {
      if (certs.keys.has(jwk.kid)) ambiguous.add(jwk.kid);
      certs.keys.set(jwk.kid, { jwk });
    }
  // Two keys under one id: neither is trusted (as jose refuses a key set with several matches).
  for (const kid of ambiguous) certs.keys.delete(kid);
  certsByOrigin.set(origin, certs);
  return certs;
}

/**
 * The public key a token's header names (`kid`; without one, the team's only key), imported with Web Crypto for jose
 * to verify with. The keys are refetched when stale, and once more (after the cool-down) for a key id not among them.
 */
async function accessKey(origin: string, header: JWSHeaderParameters): Promise<CryptoKey> {
  let certs = certsByOrigin.get(origin);
  if (!certs || Date.now() - certs.at >= CERTS_MAX_AGE_MS) certs = await fetchAccessCerts(origin);
  const find = (c: AccessCerts) => (header.kid === undefined ? (c.keys.size === 1 ? [...c.keys.values()][0] : undefined) : c.keys.get(header.kid));
  let entry = find(certs);
  if (!entry && Date.now() - certs.at >= CERTS_COOLDOWN_MS) entry = find(await fetchAccessCerts(origin));
  if (!entry) throw new Error('No Access signing key matches the token');
  return (entry.key ??= crypto.subtle.importKey('jwk', entry.jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']).catch((err) => {
    entry.key = undefined;
    throw err;
  }));
}

/** The email in a valid Cloudflare Access JWT for this application, or a reason it was refused. */
export async function verifyAccessJwt(env: Env, jwt: string): Promise<{ email: string } | { refused: string }> {
  const origin = accessOrigin(env.ACCESS_TEAM_DOMAIN!);
  try {
    // Access always sets exp; a token without one would never expire, so it is refused.
    const { payload } = await jwtVerify(jwt, (header) => accessKey(origin, header), { issuer: origin, audience: env.ACCESS_AUD!, requiredClaims: ['exp'], algorithms: ['RS256'] });
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

/**
 * Who the request is from, without touching D1: a well-formed access token's id, or the email of a valid Cloudflare
 * Access session. 401 with the reason otherwise. The database check comes with the request's first read (authorize,
 * identify), in the same round trip.
 */
async function principalOf(c: Context<AppEnv>): Promise<{ principal: Principal; presented: string | null }> {
  const env = c.env;
  const token = bearer(c.req.header('authorization'));
  if (token) {
    const tokenId = tokenIdOf(token);
    if (!tokenId) throw unauthorized(MALFORMED_TOKEN);
    return { principal: { kind: 'token', tokenId }, presented: token };
  }
  const jwt = c.req.header('cf-access-jwt-assertion');
  if (!jwt || !env.ACCESS_TEAM_DOMAIN || !env.ACCESS_AUD)
    throw unauthorized('Sign in: send Authorization: Bearer <access token> (create one with an administrator or at /tokens)');
  const verdict = await verifyAccessJwt(env, jwt);
  if ('refused' in verdict) throw unauthorized(verdict.refused);
  return { principal: { kind: 'access', email: verdict.email }, presented: null };
}

/** Sets the request's principal (no D1 read); 401 with the reason otherwise. */
export const requireCaller = createMiddleware<AppEnv>(async (c, next) => {
  const { principal, presented } = await principalOf(c);
  c.set('principal', principal);
  // Hashed while the first D1 round trip is under way.
  c.set('presentedSha256', presented ? sha256Hex(presented) : null);
  await next();
});

/**
 * Who a principal turned out to be on its last verified request in this isolate: a user and their personal workspace,
 * neither of which ever changes for a token. Only a guess that lets a write travel with the caller's check
 * (authorizeWrite); the write is guarded in SQL, and the check is made afresh on every request.
 */
const knownCallers = new Map<string, { userId: string; personalWorkspaceId: string }>();
const KNOWN_CALLERS_MAX = 1000;
const principalKey = (p: Principal) => (p.kind === 'token' ? `t:${p.tokenId}` : `a:${p.email}`);

function remember(p: Principal, row: CallerRow) {
  const key = principalKey(p);
  knownCallers.delete(key);
  if (knownCallers.size >= KNOWN_CALLERS_MAX) knownCallers.delete(knownCallers.keys().next().value!);
  knownCallers.set(key, { userId: row.user_id, personalWorkspaceId: row.personal_workspace_id });
}

/** The caller from their CallerRow, or 401 with the reason; the token's last use is recorded without waiting. */
async function callerFrom(c: Context<AppEnv>, row: CallerRow | undefined, now = nowIso()): Promise<Caller> {
  const principal = c.var.principal;
  if (principal.kind === 'token') {
    // Compared even when no row was found, so a missing id takes as long as a wrong secret.
    const same = await timingSafeEqualText((await c.var.presentedSha256)!, row?.token_sha256 ?? '0'.repeat(64));
    if (!row || !same) throw unauthorized(REVOKED_TOKEN);
    if (row.expires_at && row.expires_at <= now) throw unauthorized(`The access token expired at ${row.expires_at}; create a new one`);
    c.executionCtx.waitUntil(touchToken(c.env.DB, principal.tokenId, row.last_used_at).catch(() => undefined));
  } else if (!row) throw unauthorized(`No Latchkey user has the email ${principal.email}; ask an administrator to add you`);
  remember(principal, row);
  const caller: Caller = {
    userId: row.user_id, personalWorkspaceId: row.personal_workspace_id, tokenId: row.token_id, tokenExpiresAt: row.expires_at, actor: requestActor(c, 'user', row.user_id),
  };
  c.set('caller', caller);
  return caller;
}

/**
 * One D1 round trip: the caller (token or Access email, user) and, batched with it, `reads` built on the caller's
 * user id in SQL, so they see nothing for a token that is not valid; their results are returned only once the caller
 * is verified.
 */
export async function identify(c: Context<AppEnv>, reads: (user: SqlPart) => D1PreparedStatement[] = () => []) {
  const db = c.env.DB;
  const extra = reads(userScope(c.var.principal));
  const [first, ...results] = await db.batch([callerStatement(db, c.var.principal, undefined), ...extra]);
  const caller = await callerFrom(c, first?.results[0] as CallerRow | undefined);
  return { caller, results };
}

/**
 * One D1 round trip: the caller, their role in the workspace the request names (absent: their personal workspace),
 * checked against `permission` (404 when not a member, 403 naming the role needed), and, batched with it, `reads`
 * built on that workspace's id in SQL guarded by the same condition. Nothing is cached across requests: a revoked
 * token or a lowered role counts on the very next request.
 */
export async function authorize(
  c: Context<AppEnv>,
  workspaceId: string | undefined,
  permission: keyof typeof PERMISSIONS,
  what?: string,
  reads: (ws: SqlPart, caller: { user: SqlPart; personalWorkspace: SqlPart }) => D1PreparedStatement[] = () => [],
) {
  const principal = c.var.principal;
  return checkedWith(c, workspaceId, permission, what, reads(workspaceScope(principal, workspaceId, permission), { user: userScope(principal), personalWorkspace: personalScope(principal) }));
}

/**
 * The caller's check for `permission` in the workspace the request names, with `statements` in the same batch: the
 * caller (401 unless valid at `now`), their workspace (404) and role (403), and the statements' results.
 */
async function checkedWith(
  c: Context<AppEnv>,
  workspaceId: string | undefined,
  permission: keyof typeof PERMISSIONS,
  what: string | undefined,
  statements: D1PreparedStatement[],
  now = nowIso(),
) {
  const db = c.env.DB;
  const [first, ...results] = await db.batch([callerStatement(db, c.var.principal, workspaceId), ...statements]);
  const row = first?.results[0] as CallerRow | undefined;
  const caller = await callerFrom(c, row, now);
  const ws = workspaceAccessOf(row!, workspaceId);
  assertPermission(ws, permission, what);
  return { caller, ws, results };
}

/**
 * A new record written in the caller's own round trip, when this isolate has verified the caller before. `writes` gets
 * the workspace the request names (absent: the caller's personal workspace) and a guard (writeGuard) to put on every
 * statement, the guarded insert first (insertAudited); it may answer null to decline. The caller is then checked as
 * `authorize` checks it, and a refusal (401, 404, 403) comes with nothing written. Null, for the route to take its
 * two-trip path (`authorize`, then the write), when the caller is not known here, `writes` declined, or the insert
 * wrote nothing although the check passed (a taken name, or a guess gone stale).
 */
export async function authorizeWrite(
  c: Context<AppEnv>,
  workspaceId: string | undefined,
  permission: keyof typeof PERMISSIONS,
  what: string | undefined,
  writes: (target: { wsId: string; actor: Actor; guard: SqlPart }) => Promise<D1PreparedStatement[] | null>,
) {
  const principal = c.var.principal;
  const known = knownCallers.get(principalKey(principal));
  if (!known) return null;
  const wsId = workspaceId ?? known.personalWorkspaceId;
  const now = nowIso();
  const guard = writeGuard(principal, await c.var.presentedSha256, { userId: known.userId, wsId, named: workspaceId }, permission, now);
  const statements = await writes({ wsId, actor: requestActor(c, 'user', known.userId), guard });
  if (!statements) return null;
  const checked = await checkedWith(c, workspaceId, permission, what, statements, now);
  return inserted(checked.results) ? checked : null;
}

/** ADMIN_TOKEN, compared in constant time; administration is off when the secret is unset. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw unauthorized('Administration over HTTP is disabled: ADMIN_TOKEN is not set on this worker');
  const presented = bearer(c.req.header('authorization'));
  if (!presented || !(await timingSafeEqualText(presented, expected))) throw unauthorized('Administration needs Authorization: Bearer <ADMIN_TOKEN>');
  c.set('adminActor', requestActor(c, 'admin', null));
  await next();
});

/** A list in the workspace the request names, read in the caller's round trip: `authorize` with one list query. */
export async function authorizedList<T>(
  c: Context<AppEnv>,
  workspaceId: string | undefined,
  permission: keyof typeof PERMISSIONS,
  what: string | undefined,
  list: (ws: SqlPart) => ListQuery<T>,
) {
  let query: ListQuery<T> | undefined;
  const { caller, ws, results } = await authorize(c, workspaceId, permission, what, (scope) => (query = list(scope)).statements);
  return { caller, ws, ...query!.read(results) };
}

/** A list of the caller's own, read in the caller's round trip: `identify` with one list query. */
export async function identifiedList<T>(c: Context<AppEnv>, list: (user: SqlPart) => ListQuery<T>) {
  let query: ListQuery<T> | undefined;
  const { caller, results } = await identify(c, (user) => (query = list(user)).statements);
  return { caller, ...query!.read(results) };
}
