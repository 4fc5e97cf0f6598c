/**
 * Nextflow's Tower trace API at Latchkey's own URL (`-with-tower <origin>`, TOWER_ACCESS_TOKEN = the run token).
 * The run token in `Authorization` (Bearer, or Basic with any user name) is the only authority, checked before the
 * body is read; `?workspaceId=` (TOWER_WORKSPACE_ID) is accepted and ignored: the token names the run, and the run
 * its workspace. Logic lives in ../trace.ts.
 */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ErrorBody } from '../../../shared/api';
import {
  TraceBeginBody, TraceBeginResponse, TraceCompleteBody, TraceCreateBody, TraceCreateResponse, TraceHeartbeatBody, TraceProgressBody, TraceStateResponse,
} from '../../../shared/trace';
import { type AppEnv, createRouter, errorResponses, jsonBody, jsonResponse, requestActor } from '../app';
import { ApiError } from '../errors';
import { runIdOfToken, runTokenFromAuthorization, verifyRunToken } from '../run-tokens';
import { relaySettings } from '../runs';
import { traceBegin, traceComplete, traceCreate, traceProgress } from '../trace';
import { keyringFor } from '../vault';

const tags = ['trace'];
const security = [{ runToken: [] }];
const NO_TOKEN = 'Nextflow sent no run token: export TOWER_ACCESS_TOKEN=<the run token the launch returned> before `nextflow run … -with-tower <this server>`';
const Query = z.object({
  workspaceId: z.withMeta(z.optional(z.string().check(z.maxLength(100))), z.DOCS && { description: "Nextflow's TOWER_WORKSPACE_ID; ignored (the run token names the run)" }),
});
const WorkflowParam = z.object({
  workflowId: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be the workflowId /trace/create answered (the run id)')),
});

/** The run each request's token names, once it is verified. */
const verifiedRun = new WeakMap<Request, string>();
const runOf = (c: Context<AppEnv>) => verifiedRun.get(c.req.raw)!;

/** /trace/create: the token alone names the run. */
const tokenNamesRun = createMiddleware<AppEnv>(async (c, next) => {
  const token = runTokenFromAuthorization(c.req.header('authorization'));
  if (!token) throw new ApiError(401, NO_TOKEN);
  verifiedRun.set(c.req.raw, await runIdOfToken(c.env.RUN_TOKEN_KEY, token));
  await next();
});

/** /trace/{workflowId}/…: the token must name the run in the path. */
const tokenMatchesPath = createMiddleware<AppEnv>(async (c, next) => {
  const runId = c.req.param('workflowId') ?? '';
  await verifyRunToken(c.env.RUN_TOKEN_KEY, runTokenFromAuthorization(c.req.header('authorization')), runId, NO_TOKEN);
  verifiedRun.set(c.req.raw, runId);
  await next();
});

const origin = (c: Context) => new URL(c.req.url).origin;
const stateResponse = z.DOCS && ((what: string) => ({ 200: jsonResponse(TraceStateResponse, what), ...errorResponses(400, 401, 404) }));

export const traceRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post', path: '/create', middleware: [tokenNamesRun] as const,
      request: { query: Query, body: jsonBody(TraceCreateBody) },
      ...(z.DOCS && { tags, security, summary: "Nextflow's hello (onFlowCreate): answers the workflowId (the run id) and a watchUrl; Nextflow aborts on anything but 2xx", responses: {
        200: jsonResponse(TraceCreateResponse, 'The run can start'),
        ...errorResponses(400, 401, 404),
        409: { description: 'The run has ended or its launch did not finish: Nextflow stops before any task runs', content: { 'application/json': { schema: ErrorBody } } },
      } }),
    }),
    async (c) => c.json(await traceCreate(c.env.DB, runOf(c), origin(c)), 200),
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{workflowId}/begin', middleware: [tokenMatchesPath] as const,
      request: { params: WorkflowParam, query: Query, body: jsonBody(TraceBeginBody) },
      ...(z.DOCS && { tags, security, summary: 'The run begins (onFlowBegin): marks it running', responses: {
        200: jsonResponse(TraceBeginResponse, 'The run is running'),
        ...errorResponses(400, 401, 404),
        409: { description: 'The run has ended or its launch did not finish', content: { 'application/json': { schema: ErrorBody } } },
      } }),
    }),
    async (c) => c.json(await traceBegin(c.env.DB, runOf(c), c.req.valid('json'), origin(c)), 200),
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{workflowId}/progress', middleware: [tokenMatchesPath] as const,
      request: { params: WorkflowParam, query: Query, body: jsonBody(TraceProgressBody) },
      ...(z.DOCS && { tags, security, summary: "Task events and counters: accepted, never refused for the run's state (a failure would abort the run)", responses: stateResponse('Accepted') }),
    }),
    async (c) => c.json(await traceProgress(c.env.DB, runOf(c)), 200),
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{workflowId}/heartbeat', middleware: [tokenMatchesPath] as const,
      request: { params: WorkflowParam, query: Query, body: jsonBody(TraceHeartbeatBody) },
      ...(z.DOCS && { tags, security, summary: 'The run is alive (every minute without task events): accepted', responses: stateResponse('Accepted') }),
    }),
    async (c) => c.json(await traceProgress(c.env.DB, runOf(c)), 200),
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{workflowId}/complete', middleware: [tokenMatchesPath] as const,
      request: { params: WorkflowParam, query: Query, body: jsonBody(TraceCompleteBody) },
      ...(z.DOCS && { tags, security, summary: "The run ended (onFlowComplete): succeeded or failed from workflow.success; deletes the run's secrets", responses: stateResponse('The run after deletion') }),
    }),
    async (c) => {
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      return c.json(await traceComplete(c.env.DB, keyring, relaySettings(c.env), runOf(c), c.req.valid('json'), requestActor(c, 'system', null)), 200);
    },
  );
