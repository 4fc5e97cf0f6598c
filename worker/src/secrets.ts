/**
 * Pipeline secrets: named values, per workspace, sealed in the vault; the value is write-only.
 * A user's personal-workspace secrets are their "user secrets" and override workspace secrets of the same name
 * when a run resolves them.
 */
import type { PipelineSecret } from '../../shared/api';
import { secretNameProblem } from '../../shared/names';
import { type Actor, auditStatement } from './audit';
import type { WorkspaceAccess } from './directory';
import { conflict, invalidField, isUniqueViolation, notFound } from './errors';
import { newNumericId, nowIso } from './ids';
import type { Keyring, SealContext } from './vault';

export interface SecretRow {
  id: string;
  workspace_id: string;
  name: string;
  value_ct: string;
  value_iv: string;
  key_version: string;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  /** 1 when created, +1 on every update of the value. */
  version: number;
}

const PUBLIC_COLUMNS = 'id, workspace_id, name, created_at, updated_at, last_used_at';
type PublicRow = Omit<SecretRow, 'value_ct' | 'value_iv' | 'key_version' | 'version'>;

/** Seqera's PipelineSecret: the id as an int64 JSON number (stored ids are numeric strings below 2^53), no null dates. */
export const secretView = (r: PublicRow): PipelineSecret => ({
  id: Number(r.id),
  name: r.name,
  dateCreated: r.created_at,
  lastUpdated: r.updated_at,
  ...(r.last_used_at !== null ? { lastUsed: r.last_used_at } : {}),
});

const sealContext = (workspaceId: string, id: string): SealContext => ({ kind: 'pipeline-secret', workspaceId, recordId: id });
const nameTaken = (name: string) => conflict(`A pipeline secret named '${name}' already exists in this workspace; update its value instead`);

export async function listSecrets(db: D1Database, workspaceId: string): Promise<PipelineSecret[]> {
  const { results } = await db.prepare(`SELECT ${PUBLIC_COLUMNS} FROM pipeline_secrets WHERE workspace_id = ? ORDER BY name`).bind(workspaceId).all<PublicRow>();
  return results.map(secretView);
}

export async function getSecret(db: D1Database, workspaceId: string, id: string): Promise<PipelineSecret> {
  const row = await db.prepare(`SELECT ${PUBLIC_COLUMNS} FROM pipeline_secrets WHERE workspace_id = ? AND id = ?`).bind(workspaceId, id).first<PublicRow>();
  if (!row) throw notFound(`Pipeline secret '${id}' in this workspace`);
  return secretView(row);
}

export async function checkSecretName(db: D1Database, workspaceId: string, name: string): Promise<void> {
  const problem = secretNameProblem(name);
  if (problem) throw invalidField('name', problem);
  const taken = await db.prepare('SELECT 1 FROM pipeline_secrets WHERE workspace_id = ? AND name = ?').bind(workspaceId, name).first();
  if (taken) throw nameTaken(name);
}

export async function createSecret(db: D1Database, keyring: Keyring, actor: Actor, ws: WorkspaceAccess, input: { name: string; value: string }): Promise<string> {
  const id = newNumericId();
  const sealed = await keyring.seal(sealContext(ws.id, id), input.value);
  const now = nowIso();
  try {
    await db.batch([
      db
        .prepare(
          'INSERT INTO pipeline_secrets (id, workspace_id, name, value_ct, value_iv, key_version, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .bind(id, ws.id, input.name, sealed.ct, sealed.iv, sealed.keyVersion, now, now, actor.id),
      auditStatement(db, actor, { workspaceId: ws.id, action: 'pipeline-secret.create', targetKind: 'pipeline-secret', targetId: id, targetName: input.name }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  return id;
}

export async function updateSecret(db: D1Database, keyring: Keyring, actor: Actor, ws: WorkspaceAccess, id: string, value: string): Promise<void> {
  const row = await db.prepare('SELECT name FROM pipeline_secrets WHERE workspace_id = ? AND id = ?').bind(ws.id, id).first<{ name: string }>();
  if (!row) throw notFound(`Pipeline secret '${id}' in this workspace`);
  const sealed = await keyring.seal(sealContext(ws.id, id), value);
  const [update] = await db.batch([
    db
      .prepare('UPDATE pipeline_secrets SET value_ct = ?, value_iv = ?, key_version = ?, updated_at = ?, version = version + 1 WHERE id = ? AND workspace_id = ?')
      .bind(sealed.ct, sealed.iv, sealed.keyVersion, nowIso(), id, ws.id),
    auditStatement(db, actor, { workspaceId: ws.id, action: 'pipeline-secret.update', targetKind: 'pipeline-secret', targetId: id, targetName: row.name }),
  ]);
  if (update?.meta.changes === 0) throw notFound(`Pipeline secret '${id}' in this workspace`);
}

export async function deleteSecret(db: D1Database, actor: Actor, ws: WorkspaceAccess, id: string): Promise<void> {
  const row = await db.prepare('SELECT name FROM pipeline_secrets WHERE workspace_id = ? AND id = ?').bind(ws.id, id).first<{ name: string }>();
  if (!row) throw notFound(`Pipeline secret '${id}' in this workspace`);
  await db.batch([
    db.prepare('DELETE FROM pipeline_secrets WHERE id = ? AND workspace_id = ?').bind(id, ws.id),
    auditStatement(db, actor, { workspaceId: ws.id, action: 'pipeline-secret.delete', targetKind: 'pipeline-secret', targetId: id, targetName: row.name }),
  ]);
}

export interface ResolvedSecret {
  name: string;
  value: string;
  /** 'user' when it came from the caller's personal workspace, overriding any workspace secret of that name. */
  source: 'user' | 'workspace';
  id: string;
  workspaceId: string;
  version: number;
}

/**
 * The secrets a run in `workspaceId` gets: the workspace's secrets, overridden by the caller's user secrets of the
 * same name. `names` restricts the set (all must exist); absent means all. Sorted by name.
 */
export async function resolveRunSecrets(
  db: D1Database,
  keyring: Keyring,
  scope: { workspaceId: string; personalWorkspaceId: string },
  names?: readonly string[],
): Promise<ResolvedSecret[]> {
  const { results } = await db
    .prepare('SELECT * FROM pipeline_secrets WHERE workspace_id IN (?, ?)')
    .bind(scope.workspaceId, scope.personalWorkspaceId)
    .all<SecretRow>();
  const chosen = new Map<string, SecretRow>();
  for (const row of results) {
    const isUser = row.workspace_id === scope.personalWorkspaceId;
    if (isUser || !chosen.has(row.name)) chosen.set(row.name, row);
  }
  if (names) {
    const missing = [...new Set(names)].filter((n) => !chosen.has(n));
    if (missing.length > 0)
      throw invalidField('secrets', `names ${missing.map((n) => `'${n}'`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} neither a workspace secret nor one of your user secrets`);
    for (const key of [...chosen.keys()]) if (!names.includes(key)) chosen.delete(key);
  }
  const rows = [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(
    rows.map(async (row) => ({
      name: row.name,
      value: await keyring.open(sealContext(row.workspace_id, row.id), { ct: row.value_ct, iv: row.value_iv, keyVersion: row.key_version }),
      source: row.workspace_id === scope.personalWorkspaceId ? ('user' as const) : ('workspace' as const),
      id: row.id,
      version: row.version,
      workspaceId: row.workspace_id,
    })),
  );
}
