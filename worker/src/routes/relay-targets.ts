/** Relay targets: which AWS accounts (and roles) a workspace's secrets may be relayed to; owners decide. */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import { AwsAccountId, ListRelayTargetsPage, PAGE_DEFAULT, SetRelayTargetBody, SetRelayTargetResponse, WorkspacePageQuery, WorkspaceQuery } from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { authorize } from '../auth';
import { hpcAllowedRead, listRelayTargets, relayTargetRead, removeRelayTarget, setHpcAllowed, setRelayTarget } from '../relay-targets';
import { type ListQuery, pageOf } from '../sql';
import type { RelayTarget } from '../../../shared/api';

const tags = ['runs'];
const security = bearerSecurity;
const WHAT = 'where secrets may be relayed';

export const relayTargetsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/',
      request: { query: WorkspacePageQuery },
      ...(z.DOCS && { tags, security, summary: `The AWS accounts (and roles) this workspace’s secrets may be relayed to, ${PAGE_DEFAULT} at a time unless max says otherwise`, responses: { 200: jsonResponse(ListRelayTargetsPage, 'Approved accounts'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      let list: ListQuery<RelayTarget> | undefined;
      // The hpc flag first: the list is one statement or two depending on the page.
      const { results } = await authorize(c, q.workspaceId, 'read', WHAT, (ws) => [hpcAllowedRead(c.env.DB, ws), ...(list = listRelayTargets(c.env.DB, ws, pageOf(q, PAGE_DEFAULT))).statements]);
      const [hpc, ...listed] = results;
      const { items, totalSize } = list!.read(listed);
      return c.json({ relayTargets: items, hpc: (hpc?.results.length ?? 0) > 0, totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/',
      request: { query: WorkspaceQuery, body: jsonBody(SetRelayTargetBody) },
      ...(z.DOCS && { tags, security, summary: 'Approve an AWS account (optionally only some roles in it) as a relay target, or replace its entry (owners only; audited)', responses: { 200: jsonResponse(SetRelayTargetResponse, 'The entry as stored'), ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'own', WHAT, (scope) => [relayTargetRead(c.env.DB, scope, input.accountId)]);
      return c.json({ relayTarget: await setRelayTarget(c.env.DB, caller.actor, ws, input, results[0]) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/hpc',
      request: { query: WorkspaceQuery, body: jsonBody(z.withMeta(z.strictObject(z.object({}).shape), z.DOCS && { id: 'AllowHpcRequest' })) },
      ...(z.DOCS && { tags, security, summary: "Allow Slurm/HPC runs (target 'hpc'), whose head script downloads the run's secret store once (owners only; audited)", responses: { 204: { description: 'Allowed' }, ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const { caller, ws } = await authorize(c, c.req.valid('query').workspaceId, 'own', WHAT);
      await setHpcAllowed(c.env.DB, caller.actor, ws, true);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/hpc',
      request: { query: WorkspaceQuery },
      ...(z.DOCS && { tags, security, summary: 'Stop allowing Slurm/HPC runs (owners only; audited). Downloads already made are not undone', responses: { 204: { description: 'No longer allowed' }, ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const { caller, ws } = await authorize(c, c.req.valid('query').workspaceId, 'own', WHAT);
      await setHpcAllowed(c.env.DB, caller.actor, ws, false);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{accountId}',
      request: { params: z.object({ accountId: AwsAccountId }), query: WorkspaceQuery },
      ...(z.DOCS && { tags, security, summary: 'Withdraw an account’s approval (owners only; audited). Live runs still delete their secrets there', responses: { 204: { description: 'Withdrawn' }, ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const { accountId } = c.req.valid('param');
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'own', WHAT, (scope) => [relayTargetRead(c.env.DB, scope, accountId)]);
      await removeRelayTarget(c.env.DB, caller.actor, ws, accountId, results[0]);
      return c.body(null, 204);
    },
  );
