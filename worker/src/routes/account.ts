/** The caller's own account: who they are, where they work, their access tokens, and workspace audit trails. */
import * as z from 'zod';
import { createRoute } from '../api-router';
import {
  CreateTokenBody,
  CreateTokenResponse,
  ListOrganizationsResponse,
  ListOrgsAndWorkspacesResponse,
  ListOrgWorkspacesResponse,
  ListTokensResponse,
  ListWorkspacesResponse,
  UserInfoResponse,
  WorkspaceQuery,
} from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { auditStatement, listAuditEvents } from '../audit';
import { authorize, getUser, listWorkspaces } from '../directory';
import { notFound } from '../errors';
import { organizationsOf, orgsAndWorkspaces, seqeraUserView } from '../seqera-views';
import { issueToken, listTokens, revokeToken, type TokenMinter, tokenMaxDays } from '../tokens';

const security = bearerSecurity;

const AuditResponse = z.object({
  events: z.array(
    z.object({
      id: z.string(), at: z.string(), actorKind: z.string(), actorId: z.string().nullable(), action: z.string(),
      targetKind: z.string(), targetId: z.string().nullable(), targetName: z.string().nullable(), ip: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()).nullable().meta({ description: 'More about the event, e.g. the account, role, region and secret names a launch relayed to (never a value)' }),
    }),
  ),
});
const NumericId = (what: string) => z.string().regex(/^\d{1,16}$/, `must be a numeric ${what} id`);

export const accountRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/user-info', tags: ['user'], security, summary: 'Who the access token belongs to',
      responses: { 200: jsonResponse(UserInfoResponse, 'The caller'), ...errorResponses(401) },
    }),
    async (c) => {
      const user = await getUser(c.env.DB, c.var.caller.userId);
      if (!user) throw notFound('User');
      return c.json({ user: seqeraUserView(user), needConsent: false }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/workspaces', tags: ['user'], security, summary: 'Workspaces the caller can see, with their role',
      responses: { 200: jsonResponse(ListWorkspacesResponse, 'Personal workspace first'), ...errorResponses(401) },
    }),
    async (c) => c.json({ workspaces: await listWorkspaces(c.env.DB, c.var.caller.userId) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get', path: '/user/{userId}/workspaces', tags: ['user'], security,
      summary: "Seqera's list of the caller's organizations and workspaces: a row per organization, a row per workspace in it, and the personal workspace (the user context, addressed without workspaceId) as a row without organization or workspace",
      request: { params: z.object({ userId: NumericId('user') }) },
      responses: { 200: jsonResponse(ListOrgsAndWorkspacesResponse, 'Organizations and workspaces'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      if (c.req.valid('param').userId !== c.var.caller.userId) throw notFound(`User '${c.req.valid('param').userId}'`);
      return c.json({ orgsAndWorkspaces: orgsAndWorkspaces(await listWorkspaces(c.env.DB, c.var.caller.userId)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/orgs', tags: ['orgs'], security, summary: 'Organizations the caller belongs to (through a workspace membership); memberRole is owner when they own one of its workspaces',
      responses: { 200: jsonResponse(ListOrganizationsResponse, 'Organizations'), ...errorResponses(401) },
    }),
    async (c) => {
      const organizations = organizationsOf(await listWorkspaces(c.env.DB, c.var.caller.userId));
      return c.json({ organizations, totalSize: organizations.length }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/orgs/{orgId}/workspaces', tags: ['orgs'], security, summary: "An organization's workspaces the caller is a member of",
      request: { params: z.object({ orgId: NumericId('organization') }) },
      responses: { 200: jsonResponse(ListOrgWorkspacesResponse, 'Workspaces'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const mine = (await listWorkspaces(c.env.DB, c.var.caller.userId)).filter((w) => w.kind === 'organization' && w.orgId === orgId);
      if (mine.length === 0) throw notFound(`Organization '${orgId}' (or you are not a member of any of its workspaces)`);
      return c.json({ workspaces: mine.map((w) => ({ id: Number(w.id), name: w.name, fullName: w.fullName, visibility: 'PRIVATE' as const })) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/tokens', tags: ['tokens'], security, summary: "The caller's access tokens (never the tokens themselves)",
      responses: { 200: jsonResponse(ListTokensResponse, 'Tokens'), ...errorResponses(401) },
    }),
    async (c) => c.json({ tokens: await listTokens(c.env.DB, c.var.caller.userId) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post', path: '/tokens', tags: ['tokens'], security, summary: 'Create an access token; it is shown once. It expires (at most ACCESS_TOKEN_MAX_DAYS), never after the token used to make it, and is revoked with it',
      request: { body: jsonBody(CreateTokenBody) },
      responses: { 200: jsonResponse(CreateTokenResponse, 'The new token'), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const caller = c.var.caller;
      const maxDays = tokenMaxDays(c.env);
      const minter: TokenMinter = caller.tokenId
        ? { kind: 'token', parentId: caller.tokenId, parentExpiresAt: caller.tokenExpiresAt, maxDays }
        : { kind: 'session', maxDays };
      const issued = await issueToken(c.env.DB, caller.userId, b.name, b.expiresInDays, minter, (id, onlyIf) =>
        auditStatement(c.env.DB, caller.actor, { workspaceId: caller.personalWorkspaceId, action: 'access-token.create', targetKind: 'access-token', targetId: id, targetName: b.name }, onlyIf),
      );
      return c.json(issued, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/tokens/{tokenId}', tags: ['tokens'], security, summary: 'Revoke one of your access tokens',
      request: { params: z.object({ tokenId: z.string() }) },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { tokenId } = c.req.valid('param');
      const caller = c.var.caller;
      await revokeToken(c.env.DB, tokenId, caller.userId, (t) =>
        auditStatement(c.env.DB, caller.actor, { workspaceId: caller.personalWorkspaceId, action: 'access-token.revoke', targetKind: 'access-token', targetId: tokenId, targetName: t.revoked }),
      );
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/audit', tags: ['audit'], security, summary: "A workspace's latest audit events (owner and admin)",
      request: { query: WorkspaceQuery },
      responses: { 200: jsonResponse(AuditResponse, 'Newest first, at most 100'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'manage', 'the audit trail');
      return c.json({ events: await listAuditEvents(c.env.DB, ws.id) }, 200);
    },
  );
