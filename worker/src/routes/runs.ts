/** Runs: launch (secrets into AWS Secrets Manager), inspect, and complete with an access token. */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import { CompleteRunBody, DescribeRunResponse, LaunchKitResponse, LaunchRunBody, LaunchRunResponse, ListRunsPage, PAGE_DEFAULT, WorkspacePageQuery, WorkspaceQuery } from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { authorize, authorizedList } from '../auth';
import { assertMayComplete, completeRun, launchKitOf, launchReads, launchRun, listRuns, relaySettings, runReads, runViewOf } from '../runs';
import { pageOf } from '../sql';
import { keyringFor } from '../vault';

const tags = ['runs'];
const security = bearerSecurity;
const RunParam = z.object({ runId: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be a run id')) });
const WHAT = 'runs';

export const runsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/',
      request: { query: WorkspacePageQuery },
      ...(z.DOCS && { tags, security, summary: `The workspace's runs, newest first, with each secret's state; ${PAGE_DEFAULT} at a time unless max says otherwise`, responses: { 200: jsonResponse(ListRunsPage, 'Runs (never a value)'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { items, totalSize } = await authorizedList(c, q.workspaceId, 'read', WHAT, (ws) => listRuns(c.env.DB, ws, pageOf(q, PAGE_DEFAULT)));
      return c.json({ runs: items, totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/',
      request: { query: WorkspaceQuery, body: jsonBody(LaunchRunBody) },
      ...(z.DOCS && { tags, security, summary: "Launch: put the run's pipeline secrets in AWS Secrets Manager until the run completes", responses: { 200: jsonResponse(LaunchRunResponse, 'The secrets exist in AWS'), ...errorResponses(400, 401, 403, 404, 502) } }),
    }),
    async (c) => {
      const input = c.req.valid('json');
      // One round trip for the caller's check and everything the launch reads.
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'launch', WHAT, (scope, me) => launchReads(c.env.DB, scope, me.personalWorkspace, input));
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const origin = new URL(c.req.url).origin;
      return c.json(await launchRun(c.env.DB, keyring, relaySettings(c.env), caller, ws, input, origin, results), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{runId}',
      request: { params: RunParam, query: WorkspaceQuery },
      ...(z.DOCS && { tags, security, summary: 'A run and the state of each of its secrets', responses: { 200: jsonResponse(DescribeRunResponse, 'The run'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const { runId } = c.req.valid('param');
      const { results } = await authorize(c, c.req.valid('query').workspaceId, 'read', WHAT, (ws) => runReads(c.env.DB, runId, ws));
      return c.json({ run: runViewOf(results, runId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{runId}/launch-kit',
      request: { params: RunParam, query: WorkspaceQuery },
      ...(z.DOCS && { tags, security, summary: "The run's launch kit again (nextflow.config, environment, head script, Batch task prelude), for the member who launched it", responses: { 200: jsonResponse(LaunchKitResponse, 'The kit, with a fresh run-scoped token'), ...errorResponses(400, 401, 403, 404, 409) } }),
    }),
    async (c) => {
      const { runId } = c.req.valid('param');
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'launch', WHAT, (scope) => runReads(c.env.DB, runId, scope));
      const origin = new URL(c.req.url).origin;
      return c.json(await launchKitOf(c.env.DB, relaySettings(c.env), ws, caller, runId, origin, results), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/{runId}/complete',
      request: { params: RunParam, query: WorkspaceQuery, body: jsonBody(CompleteRunBody) },
      ...(z.DOCS && { tags, security, summary: "End a run and delete its secrets (your own runs with launch; anyone's with maintain or above)", responses: { 200: jsonResponse(DescribeRunResponse, 'The run after deletion'), ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const { runId } = c.req.valid('param');
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'launch', WHAT, (scope) => runReads(c.env.DB, runId, scope));
      await assertMayComplete(c.env.DB, ws, caller, runId, results);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const outcome = c.req.valid('json').success === false ? 'failed' : 'succeeded';
      const { run } = await completeRun(c.env.DB, keyring, relaySettings(c.env), runId, outcome, caller.actor, ws.id, results);
      return c.json({ run }, 200);
    },
  );
