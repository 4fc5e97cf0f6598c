/**
 * Relay targets: the AWS accounts (and optionally only certain roles in them) a workspace's owners allow its
 * secrets to be relayed to. A launch anywhere else is refused before any secret leaves the vault.
 */
import type { RelayTarget } from '../../shared/api';
import { type Actor, auditStatement } from './audit';
import type { WorkspaceAccess } from './directory';
import { forbidden, notFound } from './errors';
import { nowIso } from './ids';
import { type ListQuery, listQuery, type Page, type SqlPart, value } from './sql';

interface RelayTargetRow {
  workspace_id: string;
  account_id: string;
  role_arns: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  created_by: string | null;
}

function relayTargetView(row: RelayTargetRow): RelayTarget {
  return {
    accountId: row.account_id,
    roleArns: JSON.parse(row.role_arns) as string[],
    description: row.description,
    dateCreated: row.created_at,
    lastUpdated: row.updated_at,
    createdBy: row.created_by,
  };
}

/** A page of the workspace's relay targets by account; `ws` is the workspace id or SQL for it (the caller's check). */
export function listRelayTargets(db: D1Database, ws: SqlPart, page: Page): ListQuery<RelayTarget> {
  return listQuery(db, { sql: `SELECT * FROM relay_targets WHERE workspace_id = ${ws.sql}`, params: ws.params }, 'account_id', page, relayTargetView);
}

/** The statement reading every relay target of `ws` (a launch reads them with the caller's check). */
export const relayTargetsRead = (db: D1Database, ws: SqlPart) => db.prepare(`SELECT * FROM relay_targets WHERE workspace_id = ${ws.sql}`).bind(...ws.params);

/** The statement reading one relay target of `ws`. */
export const relayTargetRead = (db: D1Database, ws: SqlPart, accountId: string) =>
  db.prepare(`SELECT * FROM relay_targets WHERE workspace_id = ${ws.sql} AND account_id = ?`).bind(...ws.params, accountId);

const relayTargetOf = (result: D1Result | undefined): RelayTarget | null => {
  const row = result?.results[0] as RelayTargetRow | undefined;
  return row ? relayTargetView(row) : null;
};

async function getRelayTarget(db: D1Database, workspaceId: string, accountId: string): Promise<RelayTarget | null> {
  return relayTargetOf(await relayTargetRead(db, value(workspaceId), accountId).all());
}

export interface RelayTargetInput {
  accountId: string;
  roleArns?: string[];
  description?: string | null;
}

/**
 * Approves an account (or replaces its entry): its roles list, when not empty, is the only roles allowed. `stored`:
 * the result of relayTargetRead, when the caller's check already made it in its round trip.
 */
export async function setRelayTarget(db: D1Database, actor: Actor, ws: WorkspaceAccess, input: RelayTargetInput, stored?: D1Result): Promise<RelayTarget> {
  const roleArns = [...new Set(input.roleArns ?? [])].sort();
  const now = nowIso();
  const before = stored ? relayTargetOf(stored) : await getRelayTarget(db, ws.id, input.accountId);
  const results = await db.batch([
    db
      .prepare(
        `INSERT INTO relay_targets (workspace_id, account_id, role_arns, description, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, account_id) DO UPDATE SET role_arns = excluded.role_arns, description = excluded.description, updated_at = excluded.updated_at`,
      )
      .bind(ws.id, input.accountId, JSON.stringify(roleArns), input.description?.trim() || null, now, now, actor.id),
    auditStatement(db, actor, {
      workspaceId: ws.id,
      action: before ? 'relay-target.update' : 'relay-target.add',
      targetKind: 'relay-target',
      targetId: input.accountId,
      detail: { accountId: input.accountId, roleArns, ...(before ? { previousRoleArns: before.roleArns } : {}) },
    }),
    relayTargetRead(db, value(ws.id), input.accountId),
  ]);
  return relayTargetOf(results[2])!;
}

export async function removeRelayTarget(db: D1Database, actor: Actor, ws: WorkspaceAccess, accountId: string, stored?: D1Result): Promise<void> {
  const before = stored ? relayTargetOf(stored) : await getRelayTarget(db, ws.id, accountId);
  if (!before) throw notFound(`Relay target for AWS account ${accountId} in this workspace`);
  await db.batch([
    db.prepare('DELETE FROM relay_targets WHERE workspace_id = ? AND account_id = ?').bind(ws.id, accountId),
    auditStatement(db, actor, { workspaceId: ws.id, action: 'relay-target.remove', targetKind: 'relay-target', targetId: accountId, detail: { accountId, roleArns: before.roleArns } }),
  ]);
}

const howToApprove = (ws: WorkspaceAccess, body: Record<string, unknown>) =>
  `An owner of the workspace approves it with POST /relay-targets?workspaceId=${ws.id} ${JSON.stringify(body)}`;

/**
 * Throws 403 unless the workspace's owners approved `accountId` and, when its entry lists roles, `roleArn` among
 * them (a launch with the credentials' own keys then needs an entry without roles).
 */
export async function assertRelayApproved(
  db: D1Database,
  ws: WorkspaceAccess,
  via: { credentialsName: string; accountId: string; roleArn: string | null },
  /** The workspace's relay targets, when the launch already read them (relayTargetsRead). */
  known?: D1Result,
) {
  const target = known ? relayTargetOf({ ...known, results: known.results.filter((r) => (r as RelayTargetRow).account_id === via.accountId) }) : await getRelayTarget(db, ws.id, via.accountId);
  const who = via.roleArn ? `role ${via.roleArn}` : `the own keys of credentials '${via.credentialsName}'`;
  if (!target)
    throw forbidden(
      `AWS account ${via.accountId} (reached through ${who}) is not an approved relay target of workspace '${ws.name}', so no secret was sent there. ${howToApprove(ws, { accountId: via.accountId })}.`,
    );
  if (target.roleArns.length === 0) return;
  if (via.roleArn && target.roleArns.includes(via.roleArn)) return;
  const listed = target.roleArns.join(', ');
  if (!via.roleArn)
    throw forbidden(
      `AWS account ${via.accountId} is approved for workspace '${ws.name}' only through the roles ${listed}, but credentials '${via.credentialsName}' use their own keys there, so no secret was sent. Set one of those roles as the credentials' assumeRoleArn, or ${howToApprove(ws, { accountId: via.accountId }).replace(/^An owner/, 'an owner')} (no roleArns: any identity in the account).`,
    );
  throw forbidden(
    `Role ${via.roleArn} is not approved for workspace '${ws.name}': AWS account ${via.accountId} is approved only for the roles ${listed}, so no secret was sent. ${howToApprove(ws, { accountId: via.accountId, roleArns: [...target.roleArns, via.roleArn] })}.`,
  );
}

/** The statement reading whether the owners of `ws` allow Slurm/HPC secret-store downloads (launches with target 'hpc'). */
export const hpcAllowedRead = (db: D1Database, ws: SqlPart) => db.prepare(`SELECT 1 AS ok FROM relay_hpc WHERE workspace_id = ${ws.sql}`).bind(...ws.params);

/** Whether the workspace's owners allow Slurm/HPC secret-store downloads (launches with target 'hpc'). */
export async function hpcAllowed(db: D1Database, workspaceId: string): Promise<boolean> {
  return ((await hpcAllowedRead(db, value(workspaceId)).all()).results.length ?? 0) > 0;
}

/** Owners allow (or stop allowing) HPC downloads; audited either way. Idempotent. */
export async function setHpcAllowed(db: D1Database, actor: Actor, ws: WorkspaceAccess, allowed: boolean): Promise<void> {
  await db.batch([
    allowed
      ? db.prepare('INSERT INTO relay_hpc (workspace_id, created_at, created_by) VALUES (?, ?, ?) ON CONFLICT (workspace_id) DO NOTHING').bind(ws.id, nowIso(), actor.id)
      : db.prepare('DELETE FROM relay_hpc WHERE workspace_id = ?').bind(ws.id),
    auditStatement(db, actor, { workspaceId: ws.id, action: allowed ? 'relay-target.hpc-allow' : 'relay-target.hpc-stop', targetKind: 'relay-target', targetId: 'hpc' }),
  ]);
}

/** Throws 403 unless the workspace's owners allow HPC downloads (`allowed`: already read, e.g. with the launch's reads). */
export async function assertHpcApproved(db: D1Database, ws: WorkspaceAccess, allowed?: boolean): Promise<void> {
  if (allowed ?? (await hpcAllowed(db, ws.id))) return;
  throw forbidden(
    `Slurm/HPC downloads are not allowed in workspace '${ws.name}': an 'hpc' run hands its secrets to whoever runs the kit, so the owners decide. An owner allows them with PUT /relay-targets/hpc?workspaceId=${ws.id} {}`,
  );
}
