/**
 * Credentials: named, per workspace, public fields in clear and secret fields sealed in the vault.
 * Nothing here returns a secret field except openCredentialsSecrets, which only the relay and the registry check use.
 */
import type { Credentials, CredentialsInput } from '../../shared/api';
import { credentialsNameProblem } from '../../shared/names';
import { crossFieldProblems, type ProviderId, providers, secretDestination, secretFieldNames } from '../../shared/providers';
import { normalizeRegistry } from '../../shared/registry';
import { type Actor, auditStatement, insertAudited } from './audit';
import type { WorkspaceAccess } from './directory';
import { ApiError, conflict, invalidField, isUniqueViolation, notFound } from './errors';
import { isoSeconds, newId, nowIso } from './ids';
import { type ListQuery, listQuery, type Page, type SqlPart, value } from './sql';
import { settleExternalId } from './platform-identity';
import { type Keyring, type SealContext, VaultIntegrityError } from './vault';

export interface CredentialsRow {
  id: string;
  workspace_id: string;
  name: string;
  provider: ProviderId;
  description: string | null;
  base_url: string | null;
  public_keys: string;
  secret_ct: string;
  secret_iv: string;
  key_version: string;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  created_by: string | null;
  expires_at: string | null;
  status: 'AVAILABLE' | 'INVALID';
  last_validated_at: string | null;
  validation_message: string | null;
}

/** The columns credentialsView reads: all a list selects (D1's answer is JSON the worker parses, so every column costs). */
const VIEW_COLUMNS = 'id, name, provider, description, base_url, public_keys, created_at, updated_at, last_used_at, expires_at, status, last_validated_at, validation_message';
const PUBLIC_COLUMNS = `${VIEW_COLUMNS}, workspace_id, created_by`;

type PublicRow = Omit<CredentialsRow, 'secret_ct' | 'secret_iv' | 'key_version'>;

/** Seqera's shape: a field without a value is left out, never null (its clients decode null dates and strings as errors). */
export function credentialsView(row: Omit<PublicRow, 'workspace_id' | 'created_by'>): Credentials {
  const keys = Object.fromEntries(Object.entries(JSON.parse(row.public_keys) as Record<string, string | boolean | null>).filter(([, v]) => v !== null));
  return {
    id: row.id,
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    provider: row.provider,
    ...(row.base_url !== null ? { baseUrl: row.base_url } : {}),
    category: providers[row.provider].category,
    dateCreated: row.created_at,
    lastUpdated: row.updated_at,
    ...(row.last_used_at !== null ? { lastUsed: row.last_used_at } : {}),
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    status: row.status ?? 'AVAILABLE',
    ...(row.last_validated_at ? { lastValidated: row.last_validated_at } : {}),
    ...(row.validation_message ? { message: row.validation_message } : {}),
    keys: { ...keys, discriminator: row.provider },
  };
}

const sealContext = (workspaceId: string, id: string): SealContext => ({ kind: 'credentials', workspaceId, recordId: id });

/**
 * The workspace's credentials by name, a page of them; `providers` restricts them (a compute platform's providers).
 * `ws` is the workspace id, or SQL for it (the caller's check, to share its round trip).
 */
export function listCredentials(db: D1Database, ws: SqlPart, providers: readonly ProviderId[] | undefined, page: Page): ListQuery<Credentials> {
  const select: SqlPart = providers
    ? { sql: `SELECT ${VIEW_COLUMNS} FROM credentials WHERE workspace_id = ${ws.sql} AND provider IN (${providers.map(() => '?').join(', ')})`, params: [...ws.params, ...providers] }
    : { sql: `SELECT ${VIEW_COLUMNS} FROM credentials WHERE workspace_id = ${ws.sql}`, params: ws.params };
  return listQuery(db, select, 'name', page, credentialsView);
}

/** The statement reading one credentials row (public columns, or all with `sealed`) in `ws`. */
export function credentialsRead(db: D1Database, ws: SqlPart, id: string, sealed = false): D1PreparedStatement {
  return db.prepare(`SELECT ${sealed ? '*' : PUBLIC_COLUMNS} FROM credentials WHERE workspace_id = ${ws.sql} AND id = ?`).bind(...ws.params, id);
}

/** The credentials a read found, or 404. */
export function credentialsFound<R extends PublicRow>(result: D1Result | undefined, id: string): R {
  const row = result?.results[0] as R | undefined;
  if (!row) throw notFound(`Credentials '${id}' in this workspace`);
  return row;
}

export async function getCredentials(db: D1Database, workspaceId: string, id: string): Promise<Credentials> {
  return credentialsView(credentialsFound(await credentialsRead(db, value(workspaceId), id).all(), id));
}

async function getSealedRow(db: D1Database, workspaceId: string, id: string): Promise<CredentialsRow> {
  return credentialsFound<CredentialsRow>(await credentialsRead(db, value(workspaceId), id, true).all(), id);
}

/** The secret fields of stored credentials, for the relay and the registry check only. */
export async function openCredentialsSecrets(keyring: Keyring, row: CredentialsRow): Promise<Record<string, string>> {
  const text = await keyring.open(sealContext(row.workspace_id, row.id), { ct: row.secret_ct, iv: row.secret_iv, keyVersion: row.key_version });
  return JSON.parse(text) as Record<string, string>;
}

/** Loads credentials with their secret fields opened; used by the relay and the registry check. */
export async function loadCredentialsWithSecrets(db: D1Database, keyring: Keyring, workspaceId: string, id: string, stored?: D1Result) {
  const row = stored ? credentialsFound<CredentialsRow>(stored, id) : await getSealedRow(db, workspaceId, id);
  return { credentials: credentialsView(row), secrets: await openCredentialsSecrets(keyring, row) };
}

/** 204 when the name is well formed and free, else a 400 or 409 naming the rule. */
export async function checkCredentialsName(db: D1Database, workspaceId: string, name: string, exceptId?: string): Promise<void> {
  credentialsNameVerdict(name, await credentialsNameRead(db, value(workspaceId), name).all(), exceptId);
}

/** The statement looking for credentials of that name in `ws`. */
export const credentialsNameRead = (db: D1Database, ws: SqlPart, name: string) =>
  db.prepare(`SELECT id FROM credentials WHERE workspace_id = ${ws.sql} AND name = ?`).bind(...ws.params, name);

/** 400 for a malformed name, 409 when the read found it taken (by other credentials than `exceptId`). */
export function credentialsNameVerdict(name: string, taken: D1Result | undefined, exceptId?: string): void {
  const problem = credentialsNameProblem(name);
  if (problem) throw invalidField('name', problem);
  const row = taken?.results[0] as { id: string } | undefined;
  if (row && row.id !== exceptId) throw nameTaken(name);
}

const nameTaken = (name: string) =>
  conflict(`Credentials named '${name}' already exist in this workspace; choose another name or update those`);

/** Splits validated keys into the public fields (stored in clear) and the secret ones (sealed). */
function splitKeys(ws: { kind?: WorkspaceAccess['kind'] }, input: CredentialsInput): { publicKeys: Record<string, unknown>; secretKeys: Record<string, string> } {
  const secretNames = new Set(secretFieldNames(input.provider));
  const publicKeys: Record<string, unknown> = {};
  const secretKeys: Record<string, string> = {};
  for (const [field, value] of Object.entries(input.keys)) {
    if (field === 'discriminator' || value === undefined || value === null) continue;
    if (secretNames.has(field)) secretKeys[field] = value as string;
    else publicKeys[field] = value;
  }
  if (input.provider === 'container-reg') publicKeys.registry = normalizeRegistry(publicKeys.registry as string | undefined);
  if (input.provider === 'tw-agent') {
    if (publicKeys.shared === true && ws.kind !== 'organization')
      throw invalidField('credentials.keys.shared', 'applies only to organization workspaces; a personal agent cannot be shared');
    publicKeys.shared = publicKeys.shared === true;
  }
  return { publicKeys, secretKeys };
}

function checkCrossFields(provider: ProviderId, keys: Record<string, unknown>) {
  const [problem] = crossFieldProblems(provider, keys);
  if (problem) throw invalidField(`credentials.keys.${problem[0]}`, problem[1]);
}

/** A check run on the complete fields before credentials are saved, such as a registry login. */
export type CredentialsVerifier = (provider: ProviderId, publicKeys: Record<string, unknown>, secretKeys: Record<string, string>) => Promise<void>;

/** A stored expiry: a date means the end of that day (UTC); a date-time is kept, in UTC. */
export function expiryOf(value: string | null | undefined): string | null {
  if (!value) return null;
  return isoSeconds(new Date(value.length === 10 ? `${value}T23:59:59Z` : value));
}

const emptyToNull = (s: string | null | undefined) => (s === undefined || s === null || s.trim() === '' ? null : s.trim());

/** How a write is asked for: Seqera's `?useExternalId=true` and the check to run before saving. */
export interface WriteOptions {
  verify?: CredentialsVerifier;
  useExternalId?: boolean;
  /** The stored row (credentialsRead with sealed), when the caller's check already read it in its round trip. */
  stored?: D1Result;
}

/** A new credentials record, checked and sealed for workspace `ws`, ready to insert. */
export interface NewCredentials {
  id: string;
  wsId: string;
  input: CredentialsInput;
  publicKeys: Record<string, unknown>;
  sealed: { ct: string; iv: string; keyVersion: string };
}

/**
 * Checks the fields (400 naming the field), runs `verify`, and seals the secret fields for a new record in `ws`. With
 * the workspace's kind not known yet, a rule that depends on it refuses (a shared tw-agent).
 */
export async function newCredentials(keyring: Keyring, ws: { id: string; kind?: WorkspaceAccess['kind'] }, input: CredentialsInput, { verify, useExternalId = false }: WriteOptions = {}): Promise<NewCredentials> {
  const { publicKeys, secretKeys } = splitKeys(ws, input);
  settleExternalId(input.provider, publicKeys, null, useExternalId);
  checkCrossFields(input.provider, { ...publicKeys, ...secretKeys });
  await verify?.(input.provider, publicKeys, secretKeys);
  const id = newId();
  const sealed = await keyring.seal(sealContext(ws.id, id), JSON.stringify(secretKeys));
  return { id, wsId: ws.id, input, publicKeys, sealed };
}

/** The insert of a new record and its audit row, guarded by `onlyIf` when given (insertAudited). */
export function insertCredentials(db: D1Database, record: NewCredentials, actor: Actor, onlyIf?: SqlPart): D1PreparedStatement[] {
  const { id, wsId, input, sealed } = record;
  const now = nowIso();
  const row = {
    id, workspace_id: wsId, name: input.name, provider: input.provider, description: emptyToNull(input.description), base_url: emptyToNull(input.baseUrl),
    public_keys: JSON.stringify(record.publicKeys), secret_ct: sealed.ct, secret_iv: sealed.iv, key_version: sealed.keyVersion, created_at: now, updated_at: now,
    created_by: actor.id, expires_at: expiryOf(input.expiresAt),
  };
  return insertAudited(db, 'credentials', row, actor, { workspaceId: wsId, action: 'credentials.create', targetKind: 'credentials', targetId: id, targetName: input.name }, onlyIf);
}

/**
 * Creates credentials and answers their id. Secret fields are sealed with the workspace and id as associated data;
 * a taken name is a 409.
 */
export async function createCredentials(db: D1Database, keyring: Keyring, actor: Actor, ws: WorkspaceAccess, input: CredentialsInput, options: WriteOptions = {}): Promise<string> {
  const record = await newCredentials(keyring, ws, input, options);
  try {
    await db.batch(insertCredentials(db, record, actor));
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  return record.id;
}

const shown = (v: unknown) => (v === null || v === undefined || v === '' ? 'empty' : `'${String(v)}'`);

/**
 * The one rule behind every secret field: a request that changes where a secret is sent (secretDestination in
 * shared/providers.ts) must send that secret again. `kept` are the stored secret fields the request left out.
 */
export function assertSecretsResent(
  provider: ProviderId,
  before: { keys: Record<string, unknown>; baseUrl: string | null },
  after: { keys: Record<string, unknown>; baseUrl: string | null },
  kept: string[],
): void {
  const destination = secretDestination(provider);
  if (!destination) return;
  const valueOf = (side: typeof before, field: string) => {
    const v = field === 'baseUrl' ? side.baseUrl : Object.hasOwn(side.keys, field.slice(5)) ? side.keys[field.slice(5)] : undefined;
    return v === undefined || v === null || v === '' ? null : String(v);
  };
  const changed = destination.decidedBy.find((f) => valueOf(before, f) !== valueOf(after, f));
  const missing = destination.secrets.filter((f) => kept.includes(f));
  if (!changed || missing.length === 0) return;
  throw invalidField(
    `credentials.keys.${missing[0]}`,
    `must be sent again: 'credentials.${changed}' changes from ${shown(valueOf(before, changed))} to ${shown(valueOf(after, changed))}, and a stored secret is never sent to a new destination. Enter ${missing.map((f) => `'credentials.keys.${f}'`).join(' and ')} again, or keep '${changed}' as it was`,
  );
}

/**
 * Replaces the credentials' fields. A secret field left out keeps its stored value, which is then opened and
 * re-sealed under the current key; the provider cannot change.
 */
export async function updateCredentials(
  db: D1Database,
  keyring: Keyring,
  actor: Actor,
  ws: WorkspaceAccess,
  id: string,
  input: CredentialsInput & { id?: string | null },
  { verify, useExternalId = false, stored }: WriteOptions = {},
): Promise<void> {
  // null means absent, as on Seqera's server (Terraform sends every unset field as null).
  if (input.id !== undefined && input.id !== null && input.id !== id) throw invalidField('credentials.id', `is '${input.id}' but the URL names '${id}'; they must match or the field be left out`);
  const row = stored ? credentialsFound<CredentialsRow>(stored, id) : await getSealedRow(db, ws.id, id);
  if (row.provider !== input.provider)
    throw invalidField('credentials.provider', `cannot change from '${row.provider}' to '${input.provider}'; create new credentials instead`);
  const { publicKeys, secretKeys } = splitKeys(ws, input);
  settleExternalId(input.provider, publicKeys, JSON.parse(row.public_keys) as Record<string, unknown>, useExternalId);
  // Role mode holds no keys: switching to it drops the stored ones rather than keeping them.
  const omitted = publicKeys.mode === 'role' ? [] : secretFieldNames(input.provider).filter((f) => !(f in secretKeys));
  let merged = secretKeys;
  if (omitted.length > 0) {
    let stored: Record<string, string>;
    try {
      stored = await openCredentialsSecrets(keyring, row);
    } catch (err) {
      if (err instanceof VaultIntegrityError)
        throw new ApiError(409, `${err.message}. Its stored secret fields cannot be kept: send ${omitted.map((f) => `'credentials.keys.${f}'`).join(', ')} to replace them`);
      throw err;
    }
    assertSecretsResent(input.provider, { keys: JSON.parse(row.public_keys) as Record<string, unknown>, baseUrl: row.base_url }, { keys: publicKeys, baseUrl: emptyToNull(input.baseUrl) }, omitted.filter((f) => f in stored));
    merged = { ...Object.fromEntries(omitted.filter((f) => f in stored).map((f) => [f, stored[f]!])), ...secretKeys };
  }
  checkCrossFields(input.provider, { ...publicKeys, ...merged });
  await verify?.(input.provider, publicKeys, merged);
  const sealed = await keyring.seal(sealContext(ws.id, id), JSON.stringify(merged));
  try {
    const [update] = await db.batch([
      db
        .prepare(
          `UPDATE credentials SET name = ?, description = ?, base_url = ?, public_keys = ?, secret_ct = ?, secret_iv = ?, key_version = ?, updated_at = ?, expires_at = ?
           WHERE id = ? AND workspace_id = ?`,
        )
        .bind(input.name, emptyToNull(input.description), emptyToNull(input.baseUrl), JSON.stringify(publicKeys), sealed.ct, sealed.iv, sealed.keyVersion, nowIso(), expiryOf(input.expiresAt), id, ws.id),
      auditStatement(db, actor, { workspaceId: ws.id, action: 'credentials.update', targetKind: 'credentials', targetId: id, targetName: input.name }),
    ]);
    if (update?.meta.changes === 0) throw notFound(`Credentials '${id}' in this workspace`);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

/** A run that still has secrets in AWS relayed with these credentials, in Seqera's conflict shape. */
export interface CredentialsConflict {
  id: string;
  name: string;
  type: 'run';
  url: string;
}

/**
 * What a delete needs to know, as statements for the caller's round trip: the credentials' name, and the runs with
 * secrets still in AWS relayed with them (`own_copy`: whether the run can clean up alone).
 */
export function deleteCredentialsReads(db: D1Database, ws: SqlPart, id: string): D1PreparedStatement[] {
  return [
    db.prepare(`SELECT name FROM credentials WHERE workspace_id = ${ws.sql} AND id = ?`).bind(...ws.params, id),
    db
      .prepare(
        `SELECT id, run_name, cleanup_ct IS NOT NULL AS own_copy FROM runs WHERE credentials_id = ? AND workspace_id = ${ws.sql} AND cleaned_at IS NULL AND abandoned_at IS NULL ORDER BY created_at LIMIT 100`,
      )
      .bind(id, ...ws.params),
  ];
}

/**
 * Seqera's delete: `checked` refuses (409 with the runs as conflicts) while runs still have secrets in AWS relayed with
 * these credentials; unchecked (what tw sends) deletes, since every run keeps a sealed copy of the keys that created
 * its secrets and deletes them with that. A run launched before runs kept that copy still needs these credentials, so
 * it blocks the delete either way.
 */
export async function deleteCredentials(
  db: D1Database,
  actor: Actor,
  ws: WorkspaceAccess,
  id: string,
  checked = false,
  /** The results of deleteCredentialsReads, when the caller's check already made them in its round trip. */
  reads?: D1Result[],
): Promise<{ conflicts: CredentialsConflict[] } | null> {
  const [found, runs] = reads ?? (await db.batch(deleteCredentialsReads(db, value(ws.id), id)));
  const row = credentialsFound<{ name: string } & PublicRow>(found, id);
  const live = (runs?.results ?? []) as Array<{ id: string; run_name: string | null; own_copy: number }>;
  const blocking = checked ? live : live.filter((r) => !r.own_copy);
  if (blocking.length > 0)
    return { conflicts: blocking.map((r) => ({ id: r.id, name: r.run_name ?? r.id, type: 'run', url: `/runs/${r.id}?workspaceId=${ws.id}` })) };
  await db.batch([
    db.prepare('DELETE FROM credentials WHERE id = ? AND workspace_id = ?').bind(id, ws.id),
    auditStatement(db, actor, {
      workspaceId: ws.id, action: 'credentials.delete', targetKind: 'credentials', targetId: id, targetName: row.name,
      ...(live.length > 0 ? { detail: { liveRuns: live.map((r) => r.id) } } : {}),
    }),
  ]);
  return null;
}
