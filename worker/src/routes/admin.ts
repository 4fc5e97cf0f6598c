/** Administration with ADMIN_TOKEN: getting people in, and rotating the vault's key. */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import {
  CreateOrganizationBody, CreateOrganizationResponse, CreateTokenBody, CreateTokenResponse, CreateUserBody, CreateUserResponse,
  CreateWorkspaceBody, CreateWorkspaceResponse, PAGE_DEFAULT, PageQuery, RotateResponse, SetMembershipBody, UserInfo,
} from '../../../shared/api';
import { createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { auditStatement } from '../audit';
import { createOrganization, createUser, createWorkspace, getUser, listUsers, removeMembership, setMembership, userView } from '../directory';
import { notFound } from '../errors';
import { rotateVault } from '../rotation';
import { pageOf, runList } from '../sql';
import { issueToken, revokeToken } from '../tokens';
import { keyringFor } from '../vault';

const tags = ['admin'];
const security = [{ adminToken: [] }];
const Numeric = (what: string) => z.string().check(z.regex(/^\d{1,20}$/, `must be a numeric ${what} id`));

export const adminRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/users',
      request: { query: PageQuery },
      ...(z.DOCS && { tags, security, summary: `List users by name, ${PAGE_DEFAULT} at a time unless max says otherwise`, responses: { 200: jsonResponse(z.object({ users: z.array(UserInfo), totalSize: z.number().check(z.int()) }), 'Users'), ...errorResponses(400, 401) } }),
    }),
    async (c) => {
      const { items, totalSize } = await runList(c.env.DB, listUsers(c.env.DB, pageOf(c.req.valid('query'), PAGE_DEFAULT)));
      return c.json({ users: items.map(userView), totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/users',
      request: { body: jsonBody(CreateUserBody) },
      ...(z.DOCS && { tags, security, summary: 'Create a user and their personal workspace', responses: { 200: jsonResponse(CreateUserResponse, 'Created'), ...errorResponses(400, 401, 409) } }),
    }),
    async (c) => {
      const user = await createUser(c.env.DB, c.req.valid('json'));
      await auditStatement(c.env.DB, c.var.adminActor, { workspaceId: null, action: 'user.create', targetKind: 'user', targetId: user.id, targetName: user.user_name }).run();
      return c.json({ user: userView(user) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/users/{userId}/tokens',
      request: { params: z.object({ userId: Numeric('user') }), body: jsonBody(CreateTokenBody) },
      ...(z.DOCS && { tags, security, summary: 'Create an access token for a user; shown once', responses: { 200: jsonResponse(CreateTokenResponse, 'The new token'), ...errorResponses(400, 401, 404, 409) } }),
    }),
    async (c) => {
      const { userId } = c.req.valid('param');
      const user = await getUser(c.env.DB, userId);
      if (!user) throw notFound(`User '${userId}'`);
      const b = c.req.valid('json');
      const issued = await issueToken(c.env.DB, userId, b.name, b.expiresInDays, { kind: 'admin' }, (id, onlyIf) =>
        auditStatement(c.env.DB, c.var.adminActor, { workspaceId: user.personal_workspace_id, action: 'access-token.create', targetKind: 'access-token', targetId: id, targetName: b.name }, onlyIf),
      );
      return c.json(issued, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/tokens/{tokenId}',
      request: { params: z.object({ tokenId: z.string() }) },
      ...(z.DOCS && { tags, security, summary: 'Revoke any access token', responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) } }),
    }),
    async (c) => {
      const { tokenId } = c.req.valid('param');
      await revokeToken(c.env.DB, tokenId, undefined, (t) =>
        auditStatement(c.env.DB, c.var.adminActor, { workspaceId: t.personalWorkspaceId, action: 'access-token.revoke', targetKind: 'access-token', targetId: tokenId, targetName: t.revoked }),
      );
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/organizations',
      request: { body: jsonBody(CreateOrganizationBody) },
      ...(z.DOCS && { tags, security, summary: 'Create an organization', responses: { 200: jsonResponse(CreateOrganizationResponse, 'Created'), ...errorResponses(400, 401, 409) } }),
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json({ orgId: await createOrganization(c.env.DB, b.name, b.fullName) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/organizations/{orgId}/workspaces',
      request: { params: z.object({ orgId: Numeric('organization') }), body: jsonBody(CreateWorkspaceBody) },
      ...(z.DOCS && { tags, security, summary: 'Create a workspace in an organization', responses: { 200: jsonResponse(CreateWorkspaceResponse, 'Created'), ...errorResponses(400, 401, 404, 409) } }),
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json({ workspaceId: await createWorkspace(c.env.DB, c.req.valid('param').orgId, b.name, b.fullName) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/workspaces/{workspaceId}/members/{userId}',
      request: { params: z.object({ workspaceId: Numeric('workspace'), userId: Numeric('user') }), body: jsonBody(SetMembershipBody) },
      ...(z.DOCS && { tags, security, summary: "Add a member or change a member's role", responses: { 204: { description: 'Set' }, ...errorResponses(400, 401, 404, 409) } }),
    }),
    async (c) => {
      const { workspaceId, userId } = c.req.valid('param');
      const { role } = c.req.valid('json');
      await setMembership(c.env.DB, workspaceId, userId, role);
      await auditStatement(c.env.DB, c.var.adminActor, { workspaceId, action: 'membership.set', targetKind: 'membership', targetId: userId, targetName: role }).run();
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/workspaces/{workspaceId}/members/{userId}',
      request: { params: z.object({ workspaceId: Numeric('workspace'), userId: Numeric('user') }) },
      ...(z.DOCS && { tags, security, summary: 'Remove a member', responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const { workspaceId, userId } = c.req.valid('param');
      await removeMembership(c.env.DB, workspaceId, userId);
      await auditStatement(c.env.DB, c.var.adminActor, { workspaceId, action: 'membership.remove', targetKind: 'membership', targetId: userId }).run();
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/vault/rotate',
      request: { query: z.object({ limit: z.optional(z.coerceNumber().check(z.int()).check(z.gte(1)).check(z.lte(5000))) }) },
      ...(z.DOCS && { tags, security, summary: 'Re-seal rows under older key versions with the current key', responses: { 200: jsonResponse(RotateResponse, 'Call again while remaining > 0'), ...errorResponses(400, 401) } }),
    }),
    async (c) => {
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      return c.json(await rotateVault(c.env.DB, keyring, c.var.adminActor, c.req.valid('query').limit), 200);
    },
  );
