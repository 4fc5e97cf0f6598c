/** Runs: launch (secrets into AWS Secrets Manager), inspect, and complete with an access token. */
import * as z from 'zod';
import { createRoute } from '../api-router';
import { CompleteRunBody, DescribeRunResponse, LaunchKitResponse, LaunchRunBody, LaunchRunResponse, ListRunsResponse, WorkspaceQuery } from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { authorize } from '../directory';
import { assertMayComplete, completeRun, getRun, launchKitOf, launchRun, listRuns, relaySettings } from '../runs';
import { keyringFor } from '../vault';

const tags = ['runs'];
const security = bearerSecurity;
const RunParam = z.object({ runId: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be a run id') });
const WHAT = 'runs';

export const runsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/', tags, security, summary: "The workspace's runs, newest first, with each secret's state",
      request: { query: WorkspaceQuery },
      responses: { 200: jsonResponse(ListRunsResponse, 'Runs (never a value)'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'read', WHAT);
      return c.json({ runs: await listRuns(c.env.DB, ws.id) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/', tags, security,
      summary: "Launch: put the run's pipeline secrets in AWS Secrets Manager until the run completes",
      request: { query: WorkspaceQuery, body: jsonBody(LaunchRunBody) },
      responses: { 200: jsonResponse(LaunchRunResponse, 'The secrets exist in AWS'), ...errorResponses(400, 401, 403, 404, 502) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'launch', WHAT);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const origin = new URL(c.req.url).origin;
      return c.json(await launchRun(c.env.DB, keyring, relaySettings(c.env), c.var.caller, ws, c.req.valid('json'), origin), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{runId}', tags, security, summary: 'A run and the state of each of its secrets',
      request: { params: RunParam, query: WorkspaceQuery },
      responses: { 200: jsonResponse(DescribeRunResponse, 'The run'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'read', WHAT);
      return c.json({ run: await getRun(c.env.DB, ws.id, c.req.valid('param').runId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{runId}/launch-kit', tags, security,
      summary: "The run's launch kit again (nextflow.config, environment, head script, Batch task prelude), for the member who launched it",
      request: { params: RunParam, query: WorkspaceQuery },
      responses: { 200: jsonResponse(LaunchKitResponse, 'The kit, with a fresh run-scoped token'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'launch', WHAT);
      const origin = new URL(c.req.url).origin;
      return c.json(await launchKitOf(c.env.DB, relaySettings(c.env), ws, c.var.caller, c.req.valid('param').runId, origin), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/{runId}/complete', tags, security, summary: "End a run and delete its secrets (your own runs with launch; anyone's with maintain or above)",
      request: { params: RunParam, query: WorkspaceQuery, body: jsonBody(CompleteRunBody) },
      responses: { 200: jsonResponse(DescribeRunResponse, 'The run after deletion'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'launch', WHAT);
      await assertMayComplete(c.env.DB, ws, c.var.caller, c.req.valid('param').runId);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const outcome = c.req.valid('json').success === false ? 'failed' : 'succeeded';
      const { run } = await completeRun(c.env.DB, keyring, relaySettings(c.env), c.req.valid('param').runId, outcome, c.var.caller.actor, ws.id);
      return c.json({ run }, 200);
    },
  );
