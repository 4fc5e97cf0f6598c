/** Relay targets: which AWS accounts (and roles) a workspace's secrets may be relayed to; owners decide. */
import * as z from 'zod';
import { createRoute } from '../api-router';
import { AwsAccountId, ListRelayTargetsResponse, SetRelayTargetBody, SetRelayTargetResponse, WorkspaceQuery } from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { authorize } from '../directory';
import { hpcAllowed, listRelayTargets, removeRelayTarget, setHpcAllowed, setRelayTarget } from '../relay-targets';

const tags = ['runs'];
const security = bearerSecurity;
const WHAT = 'where secrets may be relayed';

export const relayTargetsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/', tags, security, summary: 'The AWS accounts (and roles) this workspace’s secrets may be relayed to',
      request: { query: WorkspaceQuery },
      responses: { 200: jsonResponse(ListRelayTargetsResponse, 'Approved accounts'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'read', WHAT);
      const [relayTargets, hpc] = await Promise.all([listRelayTargets(c.env.DB, ws.id), hpcAllowed(c.env.DB, ws.id)]);
      return c.json({ relayTargets, hpc }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/', tags, security,
      summary: 'Approve an AWS account (optionally only some roles in it) as a relay target, or replace its entry (owners only; audited)',
      request: { query: WorkspaceQuery, body: jsonBody(SetRelayTargetBody) },
      responses: { 200: jsonResponse(SetRelayTargetResponse, 'The entry as stored'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'own', WHAT);
      return c.json({ relayTarget: await setRelayTarget(c.env.DB, c.var.caller.actor, ws, c.req.valid('json')) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/hpc', tags, security,
      summary: "Allow Slurm/HPC runs (target 'hpc'), whose head script downloads the run's secret store once (owners only; audited)",
      request: { query: WorkspaceQuery, body: jsonBody(z.object({}).strict().meta({ id: 'AllowHpcRequest' })) },
      responses: { 204: { description: 'Allowed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'own', WHAT);
      await setHpcAllowed(c.env.DB, c.var.caller.actor, ws, true);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/hpc', tags, security,
      summary: 'Stop allowing Slurm/HPC runs (owners only; audited). Downloads already made are not undone',
      request: { query: WorkspaceQuery },
      responses: { 204: { description: 'No longer allowed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'own', WHAT);
      await setHpcAllowed(c.env.DB, c.var.caller.actor, ws, false);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{accountId}', tags, security,
      summary: 'Withdraw an account’s approval (owners only; audited). Live runs still delete their secrets there',
      request: { params: z.object({ accountId: AwsAccountId }), query: WorkspaceQuery },
      responses: { 204: { description: 'Withdrawn' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'own', WHAT);
      await removeRelayTarget(c.env.DB, c.var.caller.actor, ws, c.req.valid('param').accountId);
      return c.body(null, 204);
    },
  );
