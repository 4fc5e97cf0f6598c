/**
 * Checking a stored login on demand (`POST /credentials/{id}/check`): only for those who may change the credentials,
 * at most a few times per credential in a window, and every attempt audited with its outcome (never a value). The
 * password goes only where registry.ts allows, which the destination rule ties to what was stored with it.
 */
import { type Actor, auditStatement } from './audit';
import { loadCredentialsWithSecrets } from './credentials';
import type { WorkspaceAccess } from './directory';
import { ApiError, invalidField } from './errors';
import { isoSeconds } from './ids';
import { assertRegistryLogin, type RegistryPolicy } from './registry';
import type { Keyring } from './vault';

/** At most this many checks of one credential per window. */
export const CHECKS_PER_WINDOW = 5;
export const CHECK_WINDOW_MS = 10 * 60_000;

/**
 * 429 with Retry-After once credential `id` has had CHECKS_PER_WINDOW checks (audit events of `actions`) within
 * CHECK_WINDOW_MS: the audit trail is the counter, so no other state is kept.
 */
export async function assertNotCheckedTooOften(db: D1Database, ws: WorkspaceAccess, id: string, actions: readonly string[], now: number): Promise<void> {
  const since = isoSeconds(now - CHECK_WINDOW_MS);
  const recent = await db
    .prepare('SELECT COUNT(*) AS n, MIN(at) AS first FROM audit_events WHERE workspace_id = ? AND action IN (SELECT value FROM json_each(?)) AND target_id = ? AND at > ?')
    .bind(ws.id, JSON.stringify(actions), id, since)
    .first<{ n: number; first: string | null }>();
  if (recent && recent.n >= CHECKS_PER_WINDOW) {
    const retryAfter = Math.max(1, Math.ceil((Date.parse(recent.first!) + CHECK_WINDOW_MS - now) / 1000));
    throw new ApiError(
      429,
      `Credentials '${id}' were checked ${recent.n} times in the last ${CHECK_WINDOW_MS / 60_000} minutes, the most allowed; try again in ${retryAfter} s`,
      { 'Retry-After': String(retryAfter) },
    );
  }
}

export async function checkStoredLogin(db: D1Database, keyring: Keyring, actor: Actor, ws: WorkspaceAccess, id: string, policy: RegistryPolicy, now = Date.now()): Promise<void> {
  await assertNotCheckedTooOften(db, ws, id, ['credentials.check'], now);
  const { credentials, secrets } = await loadCredentialsWithSecrets(db, keyring, ws.id, id);
  if (credentials.provider !== 'container-reg')
    throw invalidField('credentialsId', `names '${credentials.name}', which are ${credentials.provider} credentials; only container-reg logins can be checked`);
  const registry = String(credentials.keys.registry);
  const record = (outcome: string) =>
    auditStatement(db, actor, { workspaceId: ws.id, action: 'credentials.check', targetKind: 'credentials', targetId: id, targetName: credentials.name, detail: { registry, outcome } }).run();
  try {
    await assertRegistryLogin(registry, String(credentials.keys.userName), secrets.password ?? '', policy);
  } catch (err) {
    await record(err instanceof ApiError ? (err.status === 400 && /^Invalid credentials/.test(err.message) ? 'refused' : err.status === 400 ? 'not allowed' : 'unreachable') : 'error');
    throw err;
  }
  await record('accepted');
}
