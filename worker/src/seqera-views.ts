/**
 * Seqera's shapes of Latchkey's directory (users, organizations, workspaces), as `tw` and the Terraform provider decode
 * them: ids Seqera types as int64 are JSON numbers (stored ids are numeric strings below 2^53, converted here at the
 * edge, never re-keyed), and fields without a value are left out rather than null.
 */
import type { UserRow } from './directory';

type WorkspaceListing = { id: string; name: string; fullName: string; kind: 'personal' | 'organization'; orgId: string | null; orgName: string | null; role: string };

export function seqeraUserView(u: UserRow) {
  return {
    id: Number(u.id),
    userName: u.user_name,
    email: u.email,
    ...(u.first_name ? { firstName: u.first_name } : {}),
    ...(u.last_name ? { lastName: u.last_name } : {}),
    personalWorkspaceId: Number(u.personal_workspace_id),
  };
}

/** Seqera's organization role from Latchkey's workspace roles: owner of any of its workspaces makes an org owner. */
const orgRole = (roles: string[]) => (roles.includes('owner') ? ('owner' as const) : ('member' as const));

export function organizationsOf(workspaces: WorkspaceListing[]) {
  const orgs = new Map<string, { name: string; roles: string[] }>();
  for (const w of workspaces) {
    if (w.kind !== 'organization' || !w.orgId) continue;
    const org = orgs.get(w.orgId) ?? { name: w.orgName ?? '', roles: [] };
    org.roles.push(w.role);
    orgs.set(w.orgId, org);
  }
  return [...orgs].map(([id, o]) => ({ orgId: Number(id), name: o.name, fullName: o.name, memberRole: orgRole(o.roles) }));
}

/**
 * ListWorkspacesAndOrgResponse: the personal workspace first (the user context: no organization, no workspace id, as
 * Seqera lists it), then each organization's own row followed by its workspaces, so `tw` resolves `org/workspace` names.
 */
export function orgsAndWorkspaces(workspaces: WorkspaceListing[]) {
  const rows: Array<Record<string, unknown>> = [];
  if (workspaces.some((w) => w.kind === 'personal')) rows.push({ roles: ['owner'] });
  for (const org of organizationsOf(workspaces)) {
    rows.push({ orgId: org.orgId, orgName: org.name, roles: [org.memberRole] });
    for (const w of workspaces.filter((x) => x.kind === 'organization' && Number(x.orgId) === org.orgId))
      rows.push({
        orgId: org.orgId,
        orgName: org.name,
        workspaceId: Number(w.id),
        workspaceName: w.name,
        workspaceFullName: w.fullName,
        visibility: 'PRIVATE',
        roles: [w.role],
      });
  }
  return rows as Array<{ orgId?: number; orgName?: string; workspaceId?: number; workspaceName?: string; workspaceFullName?: string; visibility?: 'PRIVATE'; roles: string[] }>;
}
