/**
 * Users, organizations, workspaces and memberships: who may see which workspace, with which role.
 */
import { PERMISSIONS, ROLES, type Role, roleAtLeast } from '../../shared/roles';
import { conflict, forbidden, isUniqueViolation, notFound } from './errors';
import { newNumericId, nowIso } from './ids';

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

export async function listUsers(db: D1Database): Promise<UserRow[]> {
  return (await db.prepare('SELECT * FROM users ORDER BY user_name').all<UserRow>()).results;
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

export async function listWorkspaces(db: D1Database, userId: string) {
  const { results } = await db
    .prepare(`${ACCESS_SELECT} WHERE m.user_id = ? ORDER BY w.kind DESC, o.name, w.name`)
    .bind(userId)
    .all<AccessRow>();
  return results.map((r) => ({
    id: r.id,
    name: r.name,
    fullName: r.full_name,
    kind: r.kind,
    orgId: r.org_id,
    orgName: r.org_name,
    role: r.role,
  }));
}

/**
 * The workspace a request names and the caller's role there. Absent means the caller's personal workspace.
 * A workspace the caller is not a member of is "not found", so its existence does not leak.
 */
export async function resolveWorkspace(db: D1Database, userId: string, personalWorkspaceId: string, workspaceId: string | undefined): Promise<WorkspaceAccess> {
  const id = workspaceId ?? personalWorkspaceId;
  const row = await db.prepare(`${ACCESS_SELECT} WHERE m.user_id = ? AND m.workspace_id = ?`).bind(userId, id).first<AccessRow>();
  if (!row) throw notFound(`Workspace '${id}' (or you are not a member of it)`);
  return { id: row.id, kind: row.kind, orgId: row.org_id, name: row.name, role: row.role };
}

const ACTION_TEXT = {
  read: 'reading',
  manage: 'changing',
  launch: 'launching runs with',
  maintain: 'completing other members’ runs with',
  own: 'changing',
} as const satisfies Record<keyof typeof PERMISSIONS, string>;

/**
 * The workspace a request names, if the caller's role there allows `permission`; else 404 (not a member) or
 * 403 naming the role needed.
 */
export async function authorize(
  db: D1Database,
  caller: { userId: string; personalWorkspaceId: string },
  workspaceId: string | undefined,
  permission: keyof typeof PERMISSIONS,
  what = 'credentials and secrets',
): Promise<WorkspaceAccess> {
  const ws = await resolveWorkspace(db, caller.userId, caller.personalWorkspaceId, workspaceId);
  const needed = PERMISSIONS[permission];
  if (!roleAtLeast(ws.role, needed)) {
    const allowed = ROLES.filter((r) => roleAtLeast(r, needed)).join(', ');
    throw forbidden(`Your role in workspace '${ws.name}' is '${ws.role}'; ${ACTION_TEXT[permission]} ${what} needs one of: ${allowed}`);
  }
  return ws;
}
