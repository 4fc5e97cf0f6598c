/** Slurm/HPC runs: the head job's one download of its secret store, with the run's download token (worker/src/hpc.ts). */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import { createRouter, errorResponses, jsonResponse, requestActor } from '../app';
import { downloadStore } from '../hpc';
import { runTokenFromAuthorization } from '../run-tokens';
import { keyringFor } from '../vault';

const Store = z.DOCS && z.withMeta(z.array(z.object({ name: z.string(), value: z.string() })), z.DOCS && { id: 'SecretStore', description: "Nextflow's secret store format (NXF_SECRETS_FILE)" });

export const hpcRoutes = createRouter().openapi(
  createRoute({
    method: 'post', path: '/{runId}/secrets-store',
    request: { params: z.object({ runId: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be a run id')) }) },
      ...(z.DOCS && { tags: ['runs'], security: [{ downloadToken: [] }], summary: "An 'hpc' run's secret store, once: the head script's download with the run's download token (a second, late or foreign one is refused and audited)", responses: {
      200: jsonResponse(Store, 'The store, [{name, value}]: the only answer that carries values, once per run'),
      ...errorResponses(400, 401),
      410: { description: 'Already downloaded, too late, or the run ended', content: { 'application/json': { schema: z.object({ message: z.string() }) } } },
    } }),
  }),
  async (c) => {
    const { runId } = c.req.valid('param');
    const token = runTokenFromAuthorization(c.req.header('authorization'));
    const store = await downloadStore(c.env.DB, await keyringFor(c.env.VAULT_KEYS), c.env.RUN_TOKEN_KEY, runId, token, requestActor(c, 'system', null));
    return c.json(store, 200);
  },
);
