/** Seqera's workspace roles, strongest first, and what each may do in Latchkey. */
export const ROLES = ['owner', 'admin', 'maintain', 'launch', 'connect', 'view'] as const;
export type Role = (typeof ROLES)[number];

const rank: Record<Role, number> = { owner: 6, admin: 5, maintain: 4, launch: 3, connect: 2, view: 1 };

/** True when `role` is `minimum` or stronger. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return rank[role] >= rank[minimum];
}

/** The weakest role allowed to do each thing in a workspace. */
export const PERMISSIONS = {
  /** list and read credentials and secret names (never values) */
  read: 'view',
  /** create, update and delete credentials and workspace secrets */
  manage: 'admin',
  /** launch runs with the workspace's credentials and secrets */
  launch: 'launch',
  /** end runs other members launched (their own runs need only launch) */
  maintain: 'maintain',
  /** decide where the workspace's secrets may be relayed (the AWS accounts and roles of relay targets) */
  own: 'owner',
} as const satisfies Record<string, Role>;
