/**
 * Personal access tokens: `lk_<id>_<secret>`. Only the SHA-256 of the whole token is stored; the row is found by id
 * and the hash compared in constant time. Shown once at creation, revocable, expiring, last use recorded.
 */
import { notFound, conflict, isUniqueViolation } from './errors';
import { newId, nowIso, randomBase62 } from './ids';

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

export async function issueToken(db: D1Database, userId: string, name: string, expiresInDays?: number) {
  const id = newId();
  const accessKey = `lk_${id}_${randomBase62(43)}`;
  const created = nowIso();
  const expires = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
  try {
    await db
      .prepare('INSERT INTO access_tokens (id, user_id, name, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(id, userId, name, await sha256Hex(accessKey), created, expires)
      .run();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`An access token named '${name}' already exists; choose another name or delete that one`);
    throw err;
  }
  return { accessKey, token: tokenView({ id, name, created_at: created, last_used_at: null, expires_at: expires }) };
}

export async function listTokens(db: D1Database, userId: string) {
  const { results } = await db
    .prepare('SELECT id, name, created_at, last_used_at, expires_at FROM access_tokens WHERE user_id = ? ORDER BY created_at, id')
    .bind(userId)
    .all<TokenRow>();
  return results.map(tokenView);
}

export async function revokeToken(db: D1Database, tokenId: string, userId?: string) {
  const stmt = userId
    ? db.prepare('DELETE FROM access_tokens WHERE id = ? AND user_id = ?').bind(tokenId, userId)
    : db.prepare('DELETE FROM access_tokens WHERE id = ?').bind(tokenId);
  const { meta } = await stmt.run();
  if (meta.changes === 0) throw notFound(`Access token '${tokenId}'`);
}

export interface TokenUser {
  tokenId: string;
  tokenLastUsed: string | null;
  userId: string;
  personalWorkspaceId: string;
}

/**
 * The user a bearer token belongs to (with their personal workspace), or a reason it is refused. One D1 read.
 */
export async function verifyToken(db: D1Database, presented: string): Promise<TokenUser | { refused: string }> {
  const match = TOKEN_FORM.exec(presented);
  if (!match) return { refused: 'The access token is malformed; tokens look like lk_… as shown once when created' };
  const row = await db
    .prepare(
      'SELECT t.id, t.user_id, t.token_sha256, t.last_used_at, t.expires_at, u.personal_workspace_id FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?',
    )
    .bind(match[1])
    .first<TokenRow & { personal_workspace_id: string }>();
  // Compare even when no row was found, so a missing id takes as long as a wrong secret.
  const same = await timingSafeEqualText(await sha256Hex(presented), row?.token_sha256 ?? '0'.repeat(64));
  if (!row || !same) return { refused: 'The access token is not valid: it was revoked or never existed' };
  if (row.expires_at && row.expires_at <= nowIso()) return { refused: `The access token expired at ${row.expires_at}; create a new one` };
  return { tokenId: row.id, tokenLastUsed: row.last_used_at, userId: row.user_id, personalWorkspaceId: row.personal_workspace_id };
}

/** Records use at minute precision; meant for waitUntil so it costs the request nothing. */
export async function touchToken(db: D1Database, tokenId: string, lastUsed: string | null): Promise<void> {
  if (lastUsed && Date.now() - Date.parse(lastUsed) < LAST_USED_PRECISION_MS) return;
  await db.prepare('UPDATE access_tokens SET last_used_at = ? WHERE id = ?').bind(nowIso(), tokenId).run();
}
