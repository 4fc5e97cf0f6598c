/**
 * Pipeline secrets: named values, per workspace, sealed in the vault; the value is write-only.
 * A user's personal-workspace secrets are their "user secrets" and override workspace secrets of the same name
 * when a run resolves them.
 */
import type { PipelineSecret } from '../../shared/api';
import { secretNameProblem } from '../../shared/names';
import { type Actor, auditStatement, insertAudited } from './audit';
import type { WorkspaceAccess } from './directory';
import { conflict, invalidField, isUniqueViolation, notFound } from './errors';
import { newNumericId, nowIso } from './ids';
import { type ListQuery, listQuery, type Page, type SqlPart, value } from './sql';
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

/** The columns secretView reads: all a list selects. */
const VIEW_COLUMNS = 'id, name, created_at, updated_at, last_used_at';
const PUBLIC_COLUMNS = `${VIEW_COLUMNS}, workspace_id`;
type PublicRow = Omit<SecretRow, 'value_ct' | 'value_iv' | 'key_version' | 'version'>;

/** Seqera's PipelineSecret: the id as an int64 JSON number (stored ids are numeric strings below 2^53), no null dates. */
export const secretView = (r: Omit<PublicRow, 'workspace_id'>): PipelineSecret => ({
  id: Number(r.id),
  name: r.name,
  dateCreated: r.created_at,
  lastUpdated: r.updated_at,
  ...(r.last_used_at !== null ? { lastUsed: r.last_used_at } : {}),
});

const sealContext = (workspaceId: string, id: string): SealContext => ({ kind: 'pipeline-secret', workspaceId, recordId: id });
const nameTaken = (name: string) => conflict(`A pipeline secret named '${name}' already exists in this workspace; update its value instead`);

/** A page of the workspace's secrets by name; `ws` is the workspace id or SQL for it (the caller's check). */
export function listSecrets(db: D1Database, ws: SqlPart, page: Page): ListQuery<PipelineSecret> {
  return listQuery(db, { sql: `SELECT ${VIEW_COLUMNS} FROM pipeline_secrets WHERE workspace_id = ${ws.sql}`, params: ws.params }, 'name', page, secretView);
}

/** The statement reading one secret's public columns in `ws`. */
export const secretRead = (db: D1Database, ws: SqlPart, id: string) =>
  db.prepare(`SELECT ${PUBLIC_COLUMNS} FROM pipeline_secrets WHERE workspace_id = ${ws.sql} AND id = ?`).bind(...ws.params, id);

/** The secret a read found, or 404. */
export function secretFound(result: D1Result | undefined, id: string): PublicRow {
  const row = result?.results[0] as PublicRow | undefined;
  if (!row) throw notFound(`Pipeline secret '${id}' in this workspace`);
  return row;
}

export async function getSecret(db: D1Database, workspaceId: string, id: string): Promise<PipelineSecret> {
  return secretView(secretFound(await secretRead(db, value(workspaceId), id).all(), id));
}

/** The statement looking for a secret of that name in `ws`. */
export const secretNameRead = (db: D1Database, ws: SqlPart, name: string) =>
  db.prepare(`SELECT 1 AS taken FROM pipeline_secrets WHERE workspace_id = ${ws.sql} AND name = ?`).bind(...ws.params, name);

/** 400 for a malformed name, 409 when the read found it taken. */
export function secretNameVerdict(name: string, taken: D1Result | undefined): void {
  const problem = secretNameProblem(name);
  if (problem) throw invalidField('name', problem);
  if (taken?.results.length) throw nameTaken(name);
}

export async function checkSecretName(db: D1Database, workspaceId: string, name: string): Promise<void> {
  secretNameVerdict(name, await secretNameRead(db, value(workspaceId), name).all());
}

/** A new pipeline secret, sealed for workspace `wsId`, ready to insert. */
export interface NewSecret {
  id: string;
  wsId: string;
  name: string;
  sealed: { ct: string; iv: string; keyVersion: string };
}

export async function newSecret(keyring: Keyring, wsId: string, input: { name: string; value: string }): Promise<NewSecret> {
  const id = newNumericId();
  return { id, wsId, name: input.name, sealed: await keyring.seal(sealContext(wsId, id), input.value) };
}

/** The insert of a new secret and its audit row, guarded by `onlyIf` when given (insertAudited). */
export function insertSecret(db: D1Database, record: NewSecret, actor: Actor, onlyIf?: SqlPart): D1PreparedStatement[] {
  const { id, wsId, name, sealed } = record;
  const now = nowIso();
  const row = { id, workspace_id: wsId, name, value_ct: sealed.ct, value_iv: sealed.iv, key_version: sealed.keyVersion, created_at: now, updated_at: now, created_by: actor.id };
  return insertAudited(db, 'pipeline_secrets', row, actor, { workspaceId: wsId, action: 'pipeline-secret.create', targetKind: 'pipeline-secret', targetId: id, targetName: name }, onlyIf);
}

export async function createSecret(db: D1Database, keyring: Keyring, actor: Actor, ws: WorkspaceAccess, input: { name: string; value: string }): Promise<string> {
  const record = await newSecret(keyring, ws.id, input);
  try {
    await db.batch(insertSecret(db, record, actor));
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  return record.id;
}

/**
 * Replaces a secret's value. `stored`: the result of secretRead, when the caller's check already made it in its
 * round trip.
 */
export async function updateSecret(db: D1Database, keyring: Keyring, actor: Actor, ws: WorkspaceAccess, id: string, newValue: string, stored?: D1Result): Promise<void> {
  const row = secretFound(stored ?? (await secretRead(db, value(ws.id), id).all()), id);
  const sealed = await keyring.seal(sealContext(ws.id, id), newValue);
  const [update] = await db.batch([
    db
      .prepare('UPDATE pipeline_secrets SET value_ct = ?, value_iv = ?, key_version = ?, updated_at = ?, version = version + 1 WHERE id = ? AND workspace_id = ?')
      .bind(sealed.ct, sealed.iv, sealed.keyVersion, nowIso(), id, ws.id),
    auditStatement(db, actor, { workspaceId: ws.id, action: 'pipeline-secret.update', targetKind: 'pipeline-secret', targetId: id, targetName: row.name }),
  ]);
  if (update?.meta.changes === 0) throw notFound(`Pipeline secret '${id}' in this workspace`);
}

export async function deleteSecret(db: D1Database, actor: Actor, ws: WorkspaceAccess, id: string, stored?: D1Result): Promise<void> {
  const row = secretFound(stored ?? (await secretRead(db, value(ws.id), id).all()), id);
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
  const rows = await runSecretsRead(db, value(scope.workspaceId), value(scope.personalWorkspaceId), names).all();
  return resolveRunSecretsFrom(keyring, scope.personalWorkspaceId, rows, names);
}

/**
 * The statement reading the secrets a run may get: those of the workspace and of the caller's personal workspace
 * (ids, or SQL for them), only the ones named when `names` is given.
 */
export function runSecretsRead(db: D1Database, ws: SqlPart, personal: SqlPart, names?: readonly string[]): D1PreparedStatement {
  return db
    .prepare(`SELECT * FROM pipeline_secrets WHERE workspace_id IN (${ws.sql}, ${personal.sql})${names ? ' AND name IN (SELECT value FROM json_each(?))' : ''}`)
    .bind(...ws.params, ...personal.params, ...(names ? [JSON.stringify(names)] : []));
}

/** resolveRunSecrets from the rows runSecretsRead found. */
export async function resolveRunSecretsFrom(keyring: Keyring, personalWorkspaceId: string, found: D1Result, names?: readonly string[]): Promise<ResolvedSecret[]> {
  const results = found.results as SecretRow[];
  const chosen = new Map<string, SecretRow>();
  for (const row of results) {
    const isUser = row.workspace_id === personalWorkspaceId;
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
      source: row.workspace_id === personalWorkspaceId ? ('user' as const) : ('workspace' as const),
      id: row.id,
      version: row.version,
      workspaceId: row.workspace_id,
    })),
  );
}
