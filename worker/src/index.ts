/**
 * Latchkey's worker: Seqera-compatible credentials and pipeline-secrets API on Hono.
 * Routes are composed by path; each module under routes/ is thin and the logic lives in plain functions.
 */
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { ServiceInfoResponse } from '../../shared/api';
import { DOCS } from '../../shared/docs';
import { PROVIDER_IDS } from '../../shared/providers';
import { createRoute } from './api-router';
import { createRouter, handleError, jsonResponse, requireJsonBody } from './app';
import { requireAdmin, requireCaller } from './auth';
import { ApiError } from './errors';
import { accountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { credentialsRoutes } from './routes/credentials';
import { pipelineSecretsRoutes } from './routes/pipeline-secrets';
import { relayTargetsRoutes } from './routes/relay-targets';
import { hpcRoutes } from './routes/hpc';
import { runsRoutes } from './routes/runs';
import { traceRoutes } from './routes/trace';
import { weblogRoutes } from './routes/weblog';
import type { Env } from './env';
import { relaySettings, sweepRuns } from './runs';
import { keyringFor } from './vault';
import { API_VERSION, VERSION } from './version';

const app = createRouter();

/**
 * nosniff and the usual hardening headers on every answer: what Hono's secureHeaders() sets by default, less
 * Cross-Origin-Resource-Policy (the extension reads answers cross-origin under CORS). A fixed list: the middleware's
 * options (CSP, nonces, permissions policy, reporting) were 3 kB of the bundle for headers that never change. A test
 * checks that the list is still exactly secureHeaders({ crossOriginResourcePolicy: false }).
 */
const SECURE_HEADERS = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
] as const;

// The browser extension calls from its own origin with a bearer token (no cookies), so extension origins may call.
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension|safari-web-extension):\/\/[a-z0-9-]+$/i;
app.use(
  '*',
  cors({
    origin: (origin) => (EXTENSION_ORIGIN.test(origin) ? origin : null),
    allowHeaders: ['Authorization', 'Content-Type'],
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    maxAge: 600,
  }),
);
app.use('*', async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store'); // answers name credentials and runs: never kept by caches
  for (const [name, value] of SECURE_HEADERS) c.res.headers.set(name, value);
  c.res.headers.delete('X-Powered-By');
});
app.use('*', requireJsonBody);
// A broken VAULT_KEYS is reported at once, on every route, not first when a record is opened.
app.use('*', async (c, next) => {
  await keyringFor(c.env.VAULT_KEYS);
  await next();
});
app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ message: 'The request body is larger than 1 MiB' }, 413) }));
// Hono's '/x/*' also matches '/x': one pattern per prefix, so the caller is resolved once per request.
for (const path of ['/credentials/*', '/pipeline-secrets/*', '/user-info', '/workspaces', '/user/*', '/orgs/*', '/tokens/*', '/audit', '/runs/*', '/relay-targets/*'])
  app.use(path, requireCaller);
app.use('/admin/*', requireAdmin);

const routes = app
  .openapi(
    createRoute({
      method: 'get', path: '/service-info',
      ...(DOCS && { tags: ['service'], summary: 'What this server is', responses: { 200: jsonResponse(ServiceInfoResponse, 'Service description') } }),
    }),
    (c) =>
      c.json(
        {
          serviceInfo: {
            version: VERSION,
            apiVersion: API_VERSION,
            service: 'latchkey' as const,
            authTypes: ['token', ...(c.env.ACCESS_TEAM_DOMAIN && c.env.ACCESS_AUD ? ['cloudflare-access'] : [])],
            providers: PROVIDER_IDS,
          },
        },
        200,
      ),
  )
  .route('/credentials', credentialsRoutes)
  .route('/pipeline-secrets', pipelineSecretsRoutes)
  .route('/runs', runsRoutes)
  .route('/hpc', hpcRoutes)
  .route('/relay-targets', relayTargetsRoutes)
  .route('/weblog', weblogRoutes)
  .route('/trace', traceRoutes)
  .route('/admin', adminRoutes)
  .route('/', accountRoutes);

// Built from the routes' schemas by scripts/openapi.mjs (wrangler's build command) and shipped as a static asset,
// so neither the document nor its generator is in the worker's code.
app.get('/openapi.json', async (c) => {
  const doc = await c.env.ASSETS.fetch(new URL('/openapi.json', c.req.url));
  if (!doc.ok) throw new ApiError(503, 'The API description was not built with this worker; run `npm run openapi` (wrangler runs it before dev and deploy)');
  return c.body(await doc.text(), 200, { 'Content-Type': 'application/json' });
});

app.notFound((c) => c.json({ message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}; see /openapi.json` }, 404));
app.onError(handleError);

export type AppType = typeof routes;
/** Every documented operation, for scripts/openapi.mjs (not a Workers entry point). */
export const operations = routes.operations;

/** The cron trigger (wrangler.toml): delete secrets that outlived their run or whose deletion failed. */
async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
  ctx.waitUntil(
    (async () => {
      const report = await sweepRuns(env.DB, await keyringFor(env.VAULT_KEYS), relaySettings(env));
      if (report.runs > 0)
        console.log(`latchkey sweeper: ${report.runs} runs examined, ${report.cleaned} cleaned, ${report.secretsLeft} secrets still left, ${report.deferred} left for the next sweep`);
    })(),
  );
}

export default { fetch: app.fetch, scheduled };
