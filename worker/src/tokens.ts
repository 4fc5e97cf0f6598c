/**
 * Personal access tokens: `lk_<id>_<secret>`. Only the SHA-256 of the whole token is stored; the row is found by id
 * and the hash compared in constant time. Shown once at creation, revocable, expiring, last use recorded.
 */
import { conflict, invalidField, isUniqueViolation, notFound, unauthorized } from './errors';
import { isoSeconds, newId, nowIso, randomBase62 } from './ids';
import { type ListQuery, listQuery, type Page, type SqlPart } from './sql';

const TOKEN_FORM = /^lk_([A-Za-z0-9]{22})_([A-Za-z0-9]{43})$/;
/** Writing last-used on every request would double D1 writes; a minute's precision is enough. */
const LAST_USED_PRECISION_MS = 60_000;

export interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  token_sha256: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time equality of two strings of any length (both are hashed to 32 bytes first). */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', enc.encode(a)),
    crypto.subtle.digest('SHA-256', enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

export function tokenView(row: Pick<TokenRow, 'id' | 'name' | 'created_at' | 'last_used_at' | 'expires_at'>) {
  return { id: row.id, name: row.name, dateCreated: row.created_at, lastUsed: row.last_used_at, expiresAt: row.expires_at };
}

/** Who is minting a token: an administrator, a user signed in another way (Access), or a user with a token. */
export type TokenMinter =
  | { kind: 'admin' }
  | { kind: 'session'; maxDays: number }
  | { kind: 'token'; parentId: string; parentExpiresAt: string | null; maxDays: number };

/** ACCESS_TOKEN_MAX_DAYS: the longest life of a self-service token; default 90 days. */
export function tokenMaxDays(env: { ACCESS_TOKEN_MAX_DAYS?: string }): number {
  const n = Number(env.ACCESS_TOKEN_MAX_DAYS);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 3650) : 90;
}

/**
 * When a new token expires. Self-service tokens always expire: at most `maxDays` (ACCESS_TOKEN_MAX_DAYS) from now,
 * the cap when no expiry is asked for, and never after the token that made them. Administrators may mint tokens
 * without expiry. Throws a 400 naming `expiresInDays` when the request asks for more than is allowed.
 */
export function tokenExpiry(minter: TokenMinter, expiresInDays: number | undefined, now = new Date()): string | null {
  if (minter.kind === 'admin') return expiresInDays ? isoSeconds(new Date(now.getTime() + expiresInDays * 86_400_000)) : null;
  if (expiresInDays !== undefined && expiresInDays > minter.maxDays)
    throw invalidField('expiresInDays', `must be at most ${minter.maxDays} days (the operator's ACCESS_TOKEN_MAX_DAYS); ask for fewer days or leave it out for the longest allowed`);
  let expires = new Date(now.getTime() + (expiresInDays ?? minter.maxDays) * 86_400_000);
  if (minter.kind === 'token' && minter.parentExpiresAt) {
    const parentEnd = new Date(minter.parentExpiresAt);
    if (expiresInDays !== undefined && expires > parentEnd)
      throw invalidField(
        'expiresInDays',
        `must end by ${minter.parentExpiresAt}, when the token you are using expires: a token made with a token never outlives it. Ask for fewer days, or leave it out to expire with that token`,
      );
    if (expires > parentEnd) expires = parentEnd;
  }
  return isoSeconds(expires);
}

/**
 * Mints a token, shown once. `audit(tokenId, onlyIf)` makes the audit event's statement; it lands in the same batch,
 * and only if the token does.
 */
export async function issueToken(
  db: D1Database,
  userId: string,
  name: string,
  expiresInDays: number | undefined,
  minter: TokenMinter,
  audit: (tokenId: string, onlyIf: { sql: string; params: unknown[] }) => D1PreparedStatement,
) {
  const id = newId();
  const accessKey = `lk_${id}_${randomBase62(43)}`;
  const created = nowIso();
  const expires = tokenExpiry(minter, expiresInDays);
  const parentId = minter.kind === 'token' ? minter.parentId : null;
  try {
    const [insert] = await db.batch([
      // A child is written only while its parent still exists: a token revoked meanwhile cannot leave an orphan.
      parentId
        ? db
            .prepare('INSERT INTO access_tokens (id, user_id, name, token_sha256, created_at, expires_at, parent_id) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM access_tokens WHERE id = ?)')
            .bind(id, userId, name, await sha256Hex(accessKey), created, expires, parentId, parentId)
        : db
            .prepare('INSERT INTO access_tokens (id, user_id, name, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
            .bind(id, userId, name, await sha256Hex(accessKey), created, expires),
      audit(id, { sql: 'EXISTS (SELECT 1 FROM access_tokens WHERE id = ?)', params: [id] }),
    ]);
    if (insert?.meta.changes === 0) throw unauthorized('The access token you are using was revoked while this request ran; no token was made');
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`An access token named '${name}' already exists; choose another name or delete that one`);
    throw err;
  }
  return { accessKey, token: tokenView({ id, name, created_at: created, last_used_at: null, expires_at: expires }) };
}

/** A page of a user's tokens (`user`: an id, or SQL for it), oldest first. */
export function listTokens(db: D1Database, user: SqlPart, page: Page): ListQuery<ReturnType<typeof tokenView>> {
  return listQuery(db, { sql: `SELECT id, name, created_at, last_used_at, expires_at FROM access_tokens WHERE user_id = ${user.sql}`, params: user.params }, 'created_at, id', page, tokenView);
}

/** A token and every token made with it, transitively. */
const SUBTREE = `WITH RECURSIVE subtree(id) AS (SELECT id FROM access_tokens WHERE id = ?1 UNION SELECT a.id FROM access_tokens a JOIN subtree s ON a.parent_id = s.id)`;

/** What a revoke reads first: the token (only the owner's, when `user` is given) and how many tokens were made with it. */
export function revokeTokenReads(db: D1Database, tokenId: string, user: SqlPart | undefined): D1PreparedStatement[] {
  return [
    db
      .prepare(`SELECT t.name, u.personal_workspace_id FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?${user ? ` AND t.user_id = ${user.sql}` : ''}`)
      .bind(tokenId, ...(user ? user.params : [])),
    db.prepare(`${SUBTREE} SELECT COUNT(*) - 1 AS n FROM subtree`).bind(tokenId),
  ];
}

/**
 * Revokes a token (only the owner's, when `userId` is given) and every token made with it, in one batch with its
 * audit event. Returns the name and how many tokens were revoked in all.
 */
export async function revokeToken(
  db: D1Database,
  tokenId: string,
  user: SqlPart | undefined,
  audit: (token: { name: string; personalWorkspaceId: string; revoked: string }) => D1PreparedStatement,
  /** The results of revokeTokenReads, when the caller's check already made them in its round trip. */
  reads?: D1Result[],
) {
  const [found, count] = reads ?? (await db.batch(revokeTokenReads(db, tokenId, user)));
  const row = found?.results[0] as { name: string; personal_workspace_id: string } | undefined;
  if (!row) throw notFound(`Access token '${tokenId}'`);
  const children = count?.results[0] as { n: number } | undefined;
  const revoked = children && children.n > 0 ? `${row.name} and ${children.n} token(s) made with it` : row.name;
  const [removed] = await db.batch([
    db.prepare(`${SUBTREE} DELETE FROM access_tokens WHERE id IN (SELECT id FROM subtree)`).bind(tokenId),
    audit({ name: row.name, personalWorkspaceId: row.personal_workspace_id, revoked }),
  ]);
  return { name: row.name, revoked: removed?.meta.changes ?? 0 };
}

export const MALFORMED_TOKEN = 'The access token is malformed; tokens look like lk_… as shown once when created';
export const REVOKED_TOKEN = 'The access token is not valid: it was revoked or never existed';

/** The id part of a well-formed access token, or null. The row is then found by id and its hash compared. */
export function tokenIdOf(presented: string): string | null {
  return TOKEN_FORM.exec(presented)?.[1] ?? null;
}

/** Records use at minute precision; meant for waitUntil so it costs the request nothing. */
export async function touchToken(db: D1Database, tokenId: string, lastUsed: string | null): Promise<void> {
  if (lastUsed && Date.now() - Date.parse(lastUsed) < LAST_USED_PRECISION_MS) return;
  await db.prepare('UPDATE access_tokens SET last_used_at = ? WHERE id = ?').bind(nowIso(), tokenId).run();
}
