/**
 * Completion tokens: Nextflow's weblog posts JSON to a URL and sends no headers, so the token travels in the URL.
 * It is signed with jose (HS256, RUN_TOKEN_KEY), names one run as its subject, has an audience and an expiry, and
 * can do one thing only: end that run.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { ApiError } from './errors';

const AUDIENCE = 'latchkey:run-completion';
const ISSUER = 'latchkey';
/** A late or replayed completion after the secrets' time-to-live is still accepted for this long. */
const COMPLETION_GRACE_MS = 24 * 3600_000;

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

/** Throws 401 unless `token` is a valid completion token for exactly `runId`. */
export async function verifyRunToken(secret: string | undefined, token: string | undefined, runId: string): Promise<void> {
  if (!token) throw new ApiError(401, "The completion URL has no 'token' query parameter; use the completionUrl the launch returned");
  try {
    const { payload } = await jwtVerify(token, keyFrom(secret), { audience: AUDIENCE, issuer: ISSUER, algorithms: ['HS256'] });
    if (payload.sub !== runId || payload.scope !== 'run:complete') throw new ApiError(401, 'This completion token belongs to another run');
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof errors.JWTExpired) throw new ApiError(401, 'This completion token has expired; the sweeper has deleted or will delete the run’s secrets');
    throw new ApiError(401, 'The completion token is not valid for this server');
  }
}
