/** The caller's own account: who they are, where they work, their access tokens, and workspace audit trails. */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import {
  CreateTokenBody,
  CreateTokenResponse,
  ListOrganizationsResponse,
  ListOrgsAndWorkspacesPage,
  ListOrgWorkspacesPage,
  ListTokensPage,
  ListWorkspacesPage,
  OptionalPageQuery,
  PAGE_DEFAULT,
  PageQuery,
  UserInfoResponse,
  WorkspacePageQuery,
} from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { auditStatement, listAuditEvents } from '../audit';
import { authorizedList, identifiedList, identify } from '../auth';
import { listWorkspaces, type UserRow } from '../directory';
import { notFound } from '../errors';
import { organizationsOf, orgsAndWorkspaces, seqeraUserView } from '../seqera-views';
import { ALL, type Page, pageOf } from '../sql';
import { issueToken, listTokens, revokeToken, revokeTokenReads, type TokenMinter, tokenMaxDays } from '../tokens';

/** One page of a list built in memory (lists derived from the caller's workspaces). */
const pageOfList = <T>(items: T[], page: Page) => items.slice(page.offset, page.max === null ? undefined : page.offset + page.max);

const security = bearerSecurity;

const AuditResponse = z.DOCS && z.object({
  totalSize: z.withMeta(z.number().check(z.int()), z.DOCS && { description: 'How many events the whole trail has' }),
  events: z.array(
    z.object({
      id: z.string(), at: z.string(), actorKind: z.string(), actorId: z.nullable(z.string()), action: z.string(),
      targetKind: z.string(), targetId: z.nullable(z.string()), targetName: z.nullable(z.string()), ip: z.nullable(z.string()),
      detail: z.withMeta(z.nullable(z.record(z.string(), z.unknown())), z.DOCS && { description: 'More about the event, e.g. the account, role, region and secret names a launch relayed to (never a value)' }),
    }),
  ),
});
const NumericId = (what: string) => z.string().check(z.regex(/^\d{1,16}$/, `must be a numeric ${what} id`));

export const accountRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/user-info',
      ...(z.DOCS && { tags: ['user'], security, summary: 'Who the access token belongs to', responses: { 200: jsonResponse(UserInfoResponse, 'The caller'), ...errorResponses(401) } }),
    }),
    async (c) => {
      const { results } = await identify(c, (me) => [c.env.DB.prepare(`SELECT * FROM users WHERE id = ${me.sql}`).bind(...me.params)]);
      const user = results[0]?.results[0] as UserRow | undefined;
      if (!user) throw notFound('User');
      return c.json({ user: seqeraUserView(user), needConsent: false }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/workspaces',
      request: { query: PageQuery },
      ...(z.DOCS && { tags: ['user'], security, summary: `Workspaces the caller can see, with their role; ${PAGE_DEFAULT} at a time unless max says otherwise`, responses: { 200: jsonResponse(ListWorkspacesPage, 'Personal workspace first'), ...errorResponses(400, 401) } }),
    }),
    async (c) => {
      const { items, totalSize } = await identifiedList(c, (me) => listWorkspaces(c.env.DB, me, pageOf(c.req.valid('query'), PAGE_DEFAULT)));
      return c.json({ workspaces: items, totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/user/{userId}/workspaces',
      request: { params: z.object({ userId: NumericId('user') }), query: OptionalPageQuery },
      ...(z.DOCS && { tags: ['user'], security, summary: "Seqera's list of the caller's organizations and workspaces: a row per organization, a row per workspace in it, and the personal workspace (the user context, addressed without workspaceId) as a row without organization or workspace", responses: { 200: jsonResponse(ListOrgsAndWorkspacesPage, 'Organizations and workspaces (all of them unless max is given)'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const { caller, items } = await identifiedList(c, (me) => listWorkspaces(c.env.DB, me, ALL));
      if (c.req.valid('param').userId !== caller.userId) throw notFound(`User '${c.req.valid('param').userId}'`);
      const rows = orgsAndWorkspaces(items);
      return c.json({ orgsAndWorkspaces: pageOfList(rows, pageOf(c.req.valid('query'), null)), totalSize: rows.length }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/orgs',
      request: { query: OptionalPageQuery },
      ...(z.DOCS && { tags: ['orgs'], security, summary: 'Organizations the caller belongs to (through a workspace membership); memberRole is owner when they own one of its workspaces', responses: { 200: jsonResponse(ListOrganizationsResponse, 'Organizations (all of them unless max is given)'), ...errorResponses(400, 401) } }),
    }),
    async (c) => {
      const { items } = await identifiedList(c, (me) => listWorkspaces(c.env.DB, me, ALL));
      const organizations = organizationsOf(items);
      return c.json({ organizations: pageOfList(organizations, pageOf(c.req.valid('query'), null)), totalSize: organizations.length }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/orgs/{orgId}/workspaces',
      request: { params: z.object({ orgId: NumericId('organization') }), query: OptionalPageQuery },
      ...(z.DOCS && { tags: ['orgs'], security, summary: "An organization's workspaces the caller is a member of", responses: { 200: jsonResponse(ListOrgWorkspacesPage, 'Workspaces (all of them unless max is given)'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const { items } = await identifiedList(c, (me) => listWorkspaces(c.env.DB, me, ALL));
      const mine = items.filter((w) => w.kind === 'organization' && w.orgId === orgId);
      if (mine.length === 0) throw notFound(`Organization '${orgId}' (or you are not a member of any of its workspaces)`);
      const workspaces = pageOfList(mine, pageOf(c.req.valid('query'), null)).map((w) => ({ id: Number(w.id), name: w.name, fullName: w.fullName, visibility: 'PRIVATE' as const }));
      return c.json({ workspaces, totalSize: mine.length }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/tokens',
      request: { query: OptionalPageQuery },
      ...(z.DOCS && { tags: ['tokens'], security, summary: "The caller's access tokens (never the tokens themselves)", responses: { 200: jsonResponse(ListTokensPage, 'Tokens (all of them unless max is given)'), ...errorResponses(400, 401) } }),
    }),
    async (c) => {
      const { items, totalSize } = await identifiedList(c, (me) => listTokens(c.env.DB, me, pageOf(c.req.valid('query'), null)));
      return c.json({ tokens: items, totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/tokens',
      request: { body: jsonBody(CreateTokenBody) },
      ...(z.DOCS && { tags: ['tokens'], security, summary: 'Create an access token; it is shown once. It expires (at most ACCESS_TOKEN_MAX_DAYS), never after the token used to make it, and is revoked with it', responses: { 200: jsonResponse(CreateTokenResponse, 'The new token'), ...errorResponses(400, 401, 409) } }),
    }),
    async (c) => {
      const b = c.req.valid('json');
      const { caller } = await identify(c);
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
      method: 'delete', path: '/tokens/{tokenId}',
      request: { params: z.object({ tokenId: z.string() }) },
      ...(z.DOCS && { tags: ['tokens'], security, summary: 'Revoke one of your access tokens', responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) } }),
    }),
    async (c) => {
      const { tokenId } = c.req.valid('param');
      const { caller, results } = await identify(c, (me) => revokeTokenReads(c.env.DB, tokenId, me));
      await revokeToken(
        c.env.DB, tokenId, undefined,
        (t) => auditStatement(c.env.DB, caller.actor, { workspaceId: caller.personalWorkspaceId, action: 'access-token.revoke', targetKind: 'access-token', targetId: tokenId, targetName: t.revoked }),
        results,
      );
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/audit',
      request: { query: WorkspacePageQuery },
      ...(z.DOCS && { tags: ['audit'], security, summary: `A workspace's audit events, newest first, ${PAGE_DEFAULT} at a time unless max says otherwise (owner and admin)`, responses: { 200: jsonResponse(AuditResponse, 'Newest first'), ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { items, totalSize } = await authorizedList(c, q.workspaceId, 'manage', 'the audit trail', (ws) => listAuditEvents(c.env.DB, ws, pageOf(q, PAGE_DEFAULT)));
      return c.json({ events: items, totalSize }, 200);
    },
  );
