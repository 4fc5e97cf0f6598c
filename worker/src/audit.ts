/**
 * Audit events: who did what to which record, when, from where. Never a value: the event has no field for one.
 * Writers add `auditStatement(...)` to the same db.batch as the change, so the event lands with it or not at all.
 */
import { nowIso } from './ids';
import { type ListQuery, listQuery, type Page, type SqlPart } from './sql';

export interface Actor {
  kind: 'user' | 'admin' | 'system';
  id: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEvent {
  /** The workspace, or SQL for it (such as the workspace of a run, read in the same statement). */
  workspaceId: string | null | SqlPart;
  action: string;
  targetKind: 'credentials' | 'pipeline-secret' | 'user' | 'organization' | 'workspace' | 'membership' | 'access-token' | 'vault' | 'run' | 'relay-target';
  targetId: string | null;
  targetName?: string | null;
  /** More about the event, such as where a launch sent which secrets (names, never values). Stored as JSON. */
  detail?: Record<string, unknown> | null;
}

/**
 * The INSERT of one audit event, to run in the same db.batch as the change it records. With `onlyIf` (an SQL condition
 * and its parameters) the event is written only when the condition holds, for changes that are themselves conditional.
 */
export function auditStatement(db: D1Database, actor: Actor, e: AuditEvent, onlyIf?: { sql: string; params: unknown[] }): D1PreparedStatement {
  const ws = e.workspaceId !== null && typeof e.workspaceId === 'object' ? e.workspaceId : null;
  const values = [
    nowIso(), actor.kind, actor.id, ...(ws ? ws.params : [e.workspaceId]), e.action, e.targetKind, e.targetId, e.targetName ?? null, actor.ip, actor.userAgent?.slice(0, 300) ?? null,
    e.detail ? JSON.stringify(e.detail) : null,
  ];
  const columns = 'INSERT INTO audit_events (at, actor_kind, actor_id, workspace_id, action, target_kind, target_id, target_name, ip, user_agent, detail)';
  const placeholders = `?, ?, ?, ${ws ? ws.sql : '?'}, ?, ?, ?, ?, ?, ?, ?`;
  return onlyIf
    ? db.prepare(`${columns} SELECT ${placeholders} WHERE ${onlyIf.sql}`).bind(...values, ...onlyIf.params)
    : db.prepare(`${columns} VALUES (${placeholders})`).bind(...values);
}

/** A new workspace record as column → value; the guarded audit row finds it again by these three. */
export type NewRow = Record<string, unknown> & { id: string; workspace_id: string; created_at: string };

/**
 * A new record's INSERT into `table` and its audit event, for the same db.batch. With `onlyIf` (SQL that yields a row
 * or none, such as writeGuard), neither is written unless it yields one, and a taken unique value writes nothing
 * instead of failing: the insert then changes no row (see `inserted` in sql.ts).
 */
export function insertAudited(db: D1Database, table: string, row: NewRow, actor: Actor, e: AuditEvent, onlyIf?: SqlPart): D1PreparedStatement[] {
  const values = Object.values(row);
  const insert = `INSERT INTO ${table} (${Object.keys(row).join(', ')})`;
  const placeholders = values.map(() => '?').join(', ');
  if (!onlyIf) return [db.prepare(`${insert} VALUES (${placeholders})`).bind(...values), auditStatement(db, actor, e)];
  return [
    db.prepare(`${insert} SELECT ${placeholders} WHERE EXISTS (${onlyIf.sql}) ON CONFLICT DO NOTHING`).bind(...values, ...onlyIf.params),
    auditStatement(db, actor, e, { sql: `EXISTS (SELECT 1 FROM ${table} WHERE id = ? AND workspace_id = ? AND created_at = ?)`, params: [row.id, row.workspace_id, row.created_at] }),
  ];
}

type AuditRow = Record<string, string | number | null>;

const auditView = (r: AuditRow) => ({
  id: String(r.id),
  at: r.at as string,
  actorKind: r.actor_kind as string,
  actorId: r.actor_id as string | null,
  action: r.action as string,
  targetKind: r.target_kind as string,
  targetId: r.target_id as string | null,
  targetName: r.target_name as string | null,
  ip: r.ip as string | null,
  detail: r.detail === null || r.detail === undefined ? null : (JSON.parse(String(r.detail)) as Record<string, unknown>),
});

/** A page of a workspace's audit events, newest first; `ws` is the workspace id or SQL for it (the caller's check). */
export function listAuditEvents(db: D1Database, ws: SqlPart, page: Page): ListQuery<ReturnType<typeof auditView>> {
  return listQuery(
    db,
    { sql: `SELECT id, at, actor_kind, actor_id, action, target_kind, target_id, target_name, ip, detail FROM audit_events WHERE workspace_id = ${ws.sql}`, params: ws.params },
    'id DESC',
    page,
    auditView,
  );
}
