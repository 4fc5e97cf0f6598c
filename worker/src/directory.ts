/**
 * Users, organizations, workspaces and memberships: who may see which workspace, with which role.
 */
import { PERMISSIONS, ROLES, type Role, roleAtLeast } from '../../shared/roles';
import { conflict, forbidden, isUniqueViolation, notFound } from './errors';
import { newNumericId, nowIso } from './ids';
import { type ListQuery, listQuery, type Page, type SqlPart } from './sql';

export interface UserRow {
  id: string;
  user_name: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  personal_workspace_id: string;
  created_at: string;
}

export interface WorkspaceAccess {
  id: string;
  kind: 'personal' | 'organization';
  orgId: string | null;
  name: string;
  role: Role;
}

export function userView(u: UserRow) {
  return {
    id: u.id,
    userName: u.user_name,
    email: u.email,
    firstName: u.first_name,
    lastName: u.last_name,
    personalWorkspaceId: u.personal_workspace_id,
  };
}

export async function getUser(db: D1Database, id: string): Promise<UserRow | null> {
  return db.prepare('SELECT * FROM users WHERE id = ?').bind(id).first<UserRow>();
}

export async function getUserByEmail(db: D1Database, email: string): Promise<UserRow | null> {
  return db.prepare('SELECT * FROM users WHERE email = ?').bind(email).first<UserRow>();
}

/** A user, their personal workspace and their owner membership of it, written together. */
export async function createUser(
  db: D1Database,
  input: { userName: string; email: string; firstName?: string | null; lastName?: string | null },
): Promise<UserRow> {
  const now = nowIso();
  const user: UserRow = {
    id: newNumericId(),
    user_name: input.userName,
    email: input.email,
    first_name: input.firstName ?? null,
    last_name: input.lastName ?? null,
    personal_workspace_id: newNumericId(),
    created_at: now,
  };
  try {
    await db.batch([
      db
        .prepare("INSERT INTO workspaces (id, org_id, kind, name, full_name, created_at) VALUES (?, NULL, 'personal', ?, ?, ?)")
        .bind(user.personal_workspace_id, user.user_name, `${user.user_name} (personal)`, now),
      db
        .prepare('INSERT INTO users (id, user_name, email, first_name, last_name, personal_workspace_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .bind(user.id, user.user_name, user.email, user.first_name, user.last_name, user.personal_workspace_id, now),
      db
        .prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)")
        .bind(user.personal_workspace_id, user.id, now),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      const which = /email/.test(String(err)) ? `email '${user.email}'` : `user name '${user.user_name}'`;
      throw conflict(`A user with ${which} already exists`);
    }
    throw err;
  }
  return user;
}

export function listUsers(db: D1Database, page: Page): ListQuery<UserRow> {
  return listQuery(db, { sql: 'SELECT * FROM users', params: [] }, 'user_name, id', page, (r: UserRow) => r);
}

export async function createOrganization(db: D1Database, name: string, fullName?: string): Promise<string> {
  const id = newNumericId();
  try {
    await db
      .prepare('INSERT INTO organizations (id, name, full_name, created_at) VALUES (?, ?, ?, ?)')
      .bind(id, name, fullName ?? name, nowIso())
      .run();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`An organization named '${name}' already exists`);
    throw err;
  }
  return id;
}

export async function createWorkspace(db: D1Database, orgId: string, name: string, fullName?: string): Promise<string> {
  const org = await db.prepare('SELECT id FROM organizations WHERE id = ?').bind(orgId).first();
  if (!org) throw notFound(`Organization '${orgId}'`);
  const id = newNumericId();
  try {
    await db
      .prepare("INSERT INTO workspaces (id, org_id, kind, name, full_name, created_at) VALUES (?, ?, 'organization', ?, ?, ?)")
      .bind(id, orgId, name, fullName ?? name, nowIso())
      .run();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`The organization already has a workspace named '${name}'`);
    throw err;
  }
  return id;
}

/** Adds a member or changes their role. Personal workspaces have exactly one member, their owner. */
export async function setMembership(db: D1Database, workspaceId: string, userId: string, role: Role): Promise<void> {
  const [ws, user] = await db.batch<{ id: string; kind: string }>([
    db.prepare('SELECT id, kind FROM workspaces WHERE id = ?').bind(workspaceId),
    db.prepare('SELECT id FROM users WHERE id = ?').bind(userId),
  ]);
  const workspace = ws?.results[0];
  if (!workspace) throw notFound(`Workspace '${workspaceId}'`);
  if (!user?.results[0]) throw notFound(`User '${userId}'`);
  if (workspace.kind === 'personal') throw conflict('Personal workspaces have no other members; add people to an organization workspace');
  await db
    .prepare(
      'INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role',
    )
    .bind(workspaceId, userId, role, nowIso())
    .run();
}

export async function removeMembership(db: D1Database, workspaceId: string, userId: string): Promise<void> {
  const { meta } = await db
    .prepare(
      "DELETE FROM memberships WHERE workspace_id = ? AND user_id = ? AND workspace_id NOT IN (SELECT id FROM workspaces WHERE kind = 'personal')",
    )
    .bind(workspaceId, userId)
    .run();
  if (meta.changes === 0) throw notFound(`Membership of user '${userId}' in workspace '${workspaceId}'`);
}

interface AccessRow {
  id: string;
  kind: 'personal' | 'organization';
  org_id: string | null;
  name: string;
  full_name: string;
  org_name: string | null;
  role: Role;
}

const ACCESS_SELECT = `SELECT w.id, w.kind, w.org_id, w.name, w.full_name, o.name AS org_name, m.role
  FROM memberships m JOIN workspaces w ON w.id = m.workspace_id LEFT JOIN organizations o ON o.id = w.org_id`;

export type WorkspaceListing = ReturnType<typeof workspaceListing>;

const workspaceListing = (r: AccessRow) => ({
  id: r.id,
  name: r.name,
  fullName: r.full_name,
  kind: r.kind,
  orgId: r.org_id,
  orgName: r.org_name,
  role: r.role,
});

/** The workspaces of a user (`user`: an id, or SQL for one), personal first, then by organization and name. */
export function listWorkspaces(db: D1Database, user: SqlPart, page: Page): ListQuery<WorkspaceListing> {
  return listQuery(db, { sql: `${ACCESS_SELECT} WHERE m.user_id = ${user.sql}`, params: user.params }, 'w.kind DESC, o.name, w.name, w.id', page, workspaceListing);
}

/**
 * Who a request is from, known before any database read: a personal access token's id (its secret is compared once
 * the row is read) or the email of a verified Cloudflare Access session.
 */
export type Principal = { kind: 'token'; tokenId: string } | { kind: 'access'; email: string };

/** The principal's user row `u` (and token row `t`), as FROM and WHERE clauses; live tokens only when `live`. */
function principalSource(p: Principal, live: boolean, now = nowIso()): { from: string; where: string; params: unknown[] } {
  if (p.kind === 'access') return { from: 'users u', where: 'u.email = ?', params: [p.email] };
  return {
    from: 'access_tokens t JOIN users u ON u.id = t.user_id',
    where: live ? 't.id = ? AND (t.expires_at IS NULL OR t.expires_at > ?)' : 't.id = ?',
    params: live ? [p.tokenId, now] : [p.tokenId],
  };
}

/**
 * The roles that allow `permission` as an SQL list, `('owner', 'admin')`: constants of shared/roles.ts (lowercase
 * words), written into the statement rather than bound, so SQLite compares with a fixed list.
 */
const rolesAllowing = (permission: keyof typeof PERMISSIONS) => `(${ROLES.filter((r) => roleAtLeast(r, PERMISSIONS[permission])).map((r) => `'${r}'`).join(', ')})`;

/**
 * SQL for the principal's user id (no row for an unknown or expired token or email). Reads that travel in the same
 * batch as the caller's check use it, so they see nothing the check would not allow.
 */
export function userScope(p: Principal): SqlPart {
  const src = principalSource(p, true);
  return { sql: `(SELECT u.id FROM ${src.from} WHERE ${src.where})`, params: src.params };
}

/** SQL for the principal's personal workspace id. */
export function personalScope(p: Principal): SqlPart {
  const src = principalSource(p, true);
  return { sql: `(SELECT u.personal_workspace_id FROM ${src.from} WHERE ${src.where})`, params: src.params };
}

/**
 * SQL for the id of the workspace a request names (absent: the caller's personal workspace) when the principal's role
 * there allows `permission`; no row otherwise. The same condition the caller's check applies, in SQL.
 */
export function workspaceScope(p: Principal, workspaceId: string | undefined, permission: keyof typeof PERMISSIONS): SqlPart {
  const src = principalSource(p, true);
  return {
    sql: `(SELECT m.workspace_id FROM ${src.from} JOIN memberships m ON m.user_id = u.id AND m.workspace_id = COALESCE(?, u.personal_workspace_id)
           WHERE ${src.where} AND m.role IN ${rolesAllowing(permission)})`,
    params: [workspaceId ?? null, ...src.params],
  };
}

/**
 * SQL for a write that travels in the same batch as the caller's check (`WHERE EXISTS (…)`): one row when the
 * principal is user `userId`, its token is live at `now` and is the one presented (its SHA-256 in SQL too, since the
 * write happens before the constant-time comparison), and its role in workspace `wsId`, which is the workspace the
 * request names (absent: the user's personal workspace), allows `permission`. At least as strict as the caller's check,
 * so a refused request writes nothing.
 */
export function writeGuard(
  p: Principal,
  presentedSha256: string | null,
  target: { userId: string; wsId: string; named: string | undefined },
  permission: keyof typeof PERMISSIONS,
  now: string,
): SqlPart {
  const src = principalSource(p, true, now);
  const hash = p.kind === 'token' ? ' AND t.token_sha256 = ?' : '';
  return {
    sql: `SELECT u.id FROM ${src.from} JOIN memberships m ON m.user_id = u.id AND m.workspace_id = ?
          WHERE ${src.where}${hash} AND u.id = ? AND m.workspace_id = COALESCE(?, u.personal_workspace_id) AND m.role IN ${rolesAllowing(permission)}`,
    params: [target.wsId, ...src.params, ...(hash ? [presentedSha256] : []), target.userId, target.named ?? null],
  };
}

/** What one statement tells about the caller: their token (if any), user, and membership of the workspace asked for. */
export interface CallerRow {
  user_id: string;
  personal_workspace_id: string;
  token_id: string | null;
  token_sha256: string | null;
  last_used_at: string | null;
  expires_at: string | null;
  ws_id: string | null;
  ws_kind: 'personal' | 'organization' | null;
  ws_org_id: string | null;
  ws_name: string | null;
  ws_role: Role | null;
}

/**
 * One statement: the principal's token and user, and their membership (with role) of the workspace a request names
 * (absent: their personal workspace). Never cached: every request reads it afresh, so a revoked token or a lowered
 * role counts at once.
 */
export function callerStatement(db: D1Database, p: Principal, workspaceId: string | undefined): D1PreparedStatement {
  const src = principalSource(p, false);
  const token = p.kind === 'token' ? 't.id AS token_id, t.token_sha256, t.last_used_at, t.expires_at' : 'NULL AS token_id, NULL AS token_sha256, NULL AS last_used_at, NULL AS expires_at';
  return db
    .prepare(
      `SELECT u.id AS user_id, u.personal_workspace_id, ${token}, w.id AS ws_id, w.kind AS ws_kind, w.org_id AS ws_org_id, w.name AS ws_name, m.role AS ws_role
       FROM ${src.from} LEFT JOIN memberships m ON m.user_id = u.id AND m.workspace_id = COALESCE(?, u.personal_workspace_id)
       LEFT JOIN workspaces w ON w.id = m.workspace_id WHERE ${src.where}`,
    )
    .bind(workspaceId ?? null, ...src.params);
}

/**
 * The workspace a request names and the caller's role there, from their CallerRow. A workspace the caller is not a
 * member of is "not found", so its existence does not leak.
 */
export function workspaceAccessOf(row: CallerRow, workspaceId: string | undefined): WorkspaceAccess {
  if (!row.ws_id || !row.ws_role) throw notFound(`Workspace '${workspaceId ?? row.personal_workspace_id}' (or you are not a member of it)`);
  return { id: row.ws_id, kind: row.ws_kind!, orgId: row.ws_org_id, name: row.ws_name!, role: row.ws_role };
}

const ACTION_TEXT = {
  read: 'reading',
  manage: 'changing',
  launch: 'launching runs with',
  maintain: 'completing other members’ runs with',
  own: 'changing',
} as const satisfies Record<keyof typeof PERMISSIONS, string>;

/** Throws 403 naming the role needed unless the caller's role in `ws` allows `permission`. */
export function assertPermission(ws: WorkspaceAccess, permission: keyof typeof PERMISSIONS, what = 'credentials and secrets'): void {
  const needed = PERMISSIONS[permission];
  if (!roleAtLeast(ws.role, needed)) {
    const allowed = ROLES.filter((r) => roleAtLeast(r, needed)).join(', ');
    throw forbidden(`Your role in workspace '${ws.name}' is '${ws.role}'; ${ACTION_TEXT[permission]} ${what} needs one of: ${allowed}`);
  }
}
