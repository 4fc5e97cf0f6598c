/**
 * The completion webhook: Nextflow's weblog posts every run event here. The run-scoped token is the only authority,
 * sent as the Basic password (`weblog { url = '<origin>/weblog/<runId>'; basicToken = 'run:<token>' }`, so it never
 * sits in a URL Nextflow logs) or, the old way, in the URL's `?token=` (which, when present, decides). `completed`
 * and `error` delete the run's secrets, `started` marks it running, and every other event is accepted and ignored.
 */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import { WeblogEvent, WeblogResponse } from '../../../shared/api';
import { createRouter, errorResponses, jsonBody, jsonResponse, requestActor } from '../app';
import { runTokenFromAuthorization, verifyRunToken } from '../run-tokens';
import { completeRun, markRunStarted, relaySettings, runProgress, runStateOf } from '../runs';
import { keyringFor } from '../vault';

export const weblogRoutes = createRouter().openapi(
  createRoute({
    method: 'post', path: '/{runId}',
    request: {
      params: z.object({ runId: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be a run id')) }),
      query: z.object({ token: z.optional(z.string().check(z.maxLength(2048))) }),
      body: jsonBody(WeblogEvent),
    },
    middleware: [
      // The token decides before the body is even read: a stranger learns nothing from validation errors.
      async (c, next) => {
        const token = c.req.query('token') || runTokenFromAuthorization(c.req.header('authorization'));
        await verifyRunToken(
          c.env.RUN_TOKEN_KEY, token, c.req.param('runId') ?? '',
          "This request carries no run token: no Authorization header and no 'token' query parameter; set weblog.basicToken = 'run:<run token>' in nextflow.config, or use the completionUrl the launch returned",
        );
        await next();
      },
    ] as const,
      ...(z.DOCS && { tags: ['runs'], summary: "Nextflow weblog events for one run; the run token (Basic password, Bearer, or the completionUrl's ?token=) is its only key", security: [{ runToken: [] }], responses: { 200: jsonResponse(WeblogResponse, 'Event handled or ignored'), ...errorResponses(400, 401, 404) } }),
  }),
  async (c) => {
    const { runId } = c.req.valid('param');
    const event = c.req.valid('json');
    if (event.event === 'completed' || event.event === 'error') {
      const outcome = event.event === 'error' || event.metadata?.workflow?.success === false ? 'failed' : 'succeeded';
      const { run } = await completeRun(c.env.DB, await keyringFor(c.env.VAULT_KEYS), relaySettings(c.env), runId, outcome, requestActor(c, 'system', null));
      return c.json({ event: event.event, handled: true, ...runProgress(run) }, 200);
    }
    const handled = event.event === 'started';
    if (handled) await markRunStarted(c.env.DB, runId, { runName: event.runName, sessionId: event.runId });
    return c.json({ event: event.event, handled, ...(await runStateOf(c.env.DB, runId)) }, 200);
  },
);
