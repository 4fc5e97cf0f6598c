/**
 * Run tokens: a run-scoped JWT, signed with jose (HS256, RUN_TOKEN_KEY), naming one run as its subject, with an
 * audience and an expiry. It can do one thing only: report that run's progress and end it.
 *
 * Nextflow carries it three ways, and each is accepted: `weblog { basicToken = 'run:<token>' }` sends
 * `Authorization: Basic base64(run:<token>)` (the user name is not a secret; any is accepted), `-with-tower` with
 * `TOWER_ACCESS_TOKEN=<token>` sends `Authorization: Bearer <token>` (a token with two dots is a JWT to Nextflow; any
 * other it would send as Basic `@token:<token>`), and the old completion URL carries it as `?token=`.
 */
import { jwtVerify, SignJWT } from 'jose';
import { JWTExpired } from 'jose/errors';
import { ApiError } from './errors';

const AUDIENCE = 'latchkey:run-completion';
const ISSUER = 'latchkey';
/** A late or replayed completion after the secrets' time-to-live is still accepted for this long. */
const COMPLETION_GRACE_MS = 24 * 3600_000;
/** A JWT is three base64url parts; anything longer than this is not one of ours. */
const MAX_TOKEN_LENGTH = 2048;

function keyFrom(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < 32)
    throw new ApiError(503, 'RUN_TOKEN_KEY is not set (or shorter than 32 characters): the operator must set it before runs can be launched');
  return new TextEncoder().encode(secret);
}

export async function signRunToken(secret: string | undefined, runId: string, expiresAt: Date): Promise<string> {
  return new SignJWT({ scope: 'run:complete' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(runId)
    .setIssuedAt()
    .setExpirationTime(Math.floor((expiresAt.getTime() + COMPLETION_GRACE_MS) / 1000))
    .sign(keyFrom(secret));
}

/**
 * The run token an `Authorization` header carries: the Bearer token, or the password of Basic credentials (whatever
 * the user name). Undefined when there is no header; 401 when the header is there but is neither form.
 */
export function runTokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer +(\S+) *$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (basic) {
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(basic[1]!), (ch) => ch.charCodeAt(0)));
    } catch {
      throw new ApiError(401, "The Authorization header's Basic credentials are not valid base64 of 'user:token'; set weblog.basicToken = 'run:<run token>'");
    }
    const colon = decoded.indexOf(':');
    if (colon < 0 || colon === decoded.length - 1)
      throw new ApiError(401, "The Authorization header's Basic credentials have no password after 'user:'; set weblog.basicToken = 'run:<run token>' (the run token is the password)");
    return decoded.slice(colon + 1);
  }
  throw new ApiError(401, "The Authorization header is neither 'Bearer <run token>' nor 'Basic base64(user:<run token>)'");
}

/** Verifies a run token and returns the id of the run it names; 401 when it is forged, expired or not a run token. */
export async function runIdOfToken(secret: string | undefined, token: string): Promise<string> {
  const key = keyFrom(secret);
  try {
    if (token.length > MAX_TOKEN_LENGTH) throw new ApiError(401, 'The run token is not valid for this server');
    const { payload } = await jwtVerify(token, key, { audience: AUDIENCE, issuer: ISSUER, algorithms: ['HS256'] });
    if (payload.scope !== 'run:complete' || typeof payload.sub !== 'string' || !payload.sub) throw new ApiError(401, 'The run token is not valid for this server');
    return payload.sub;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof JWTExpired) throw new ApiError(401, 'This completion token has expired; the sweeper has deleted or will delete the run’s secrets');
    throw new ApiError(401, 'The completion token is not valid for this server');
  }
}

const DOWNLOAD_AUDIENCE = 'latchkey:run-download';

/**
 * The token of an HPC run's one secret-store download: its own audience and scope (it cannot end or report the run,
 * and a completion token cannot download), expiring with the download window.
 */
export async function signDownloadToken(secret: string | undefined, runId: string, expiresAt: Date): Promise<string> {
  return new SignJWT({ scope: 'run:download' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(DOWNLOAD_AUDIENCE)
    .setSubject(runId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(keyFrom(secret));
}

/** Why a download token does not open `runId`'s store ('expired', 'other-run', 'invalid'), or null when it does. */
export async function downloadTokenProblem(secret: string | undefined, token: string | undefined, runId: string): Promise<'missing' | 'expired' | 'other-run' | 'invalid' | null> {
  if (!token) return 'missing';
  const key = keyFrom(secret);
  try {
    if (token.length > MAX_TOKEN_LENGTH) return 'invalid';
    const { payload } = await jwtVerify(token, key, { audience: DOWNLOAD_AUDIENCE, issuer: ISSUER, algorithms: ['HS256'] });
    if (payload.scope !== 'run:download' || typeof payload.sub !== 'string') return 'invalid';
    return payload.sub === runId ? null : 'other-run';
  } catch (err) {
    return err instanceof JWTExpired ? 'expired' : 'invalid';
  }
}

/** Throws 401 unless `token` is a valid run token for exactly `runId`; `missing` is the message when there is none. */
export async function verifyRunToken(
  secret: string | undefined,
  token: string | undefined,
  runId: string,
  missing = "The completion URL has no 'token' query parameter; use the completionUrl the launch returned",
): Promise<void> {
  if (!token) throw new ApiError(401, missing);
  if ((await runIdOfToken(secret, token)) !== runId) throw new ApiError(401, 'This completion token belongs to another run');
}
