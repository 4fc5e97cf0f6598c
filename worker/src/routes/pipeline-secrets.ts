/** Seqera's pipeline-secrets API: thin handlers over worker/src/secrets.ts. Values are write-only. */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import {
  CreateSecretBody,
  CreateSecretResponse,
  DescribeSecretResponse,
  ListSecretsResponse,
  SecretsListQuery,
  UpdateSecretBody,
  ValidateNameQuery,
  WorkspaceQuery,
} from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { authorize, authorizedList, authorizeWrite } from '../auth';
import { createSecret, deleteSecret, insertSecret, type NewSecret, newSecret, listSecrets, secretFound, secretNameRead, secretNameVerdict, secretRead, secretView, updateSecret } from '../secrets';
import { pageOf } from '../sql';
import { keyringFor } from '../vault';

const tags = ['pipeline-secrets'];
const IdParam = z.object({ secretId: z.string().check(z.regex(/^\d{1,20}$/, 'must be a numeric pipeline secret id')) });
const WHAT = 'pipeline secrets';

export const pipelineSecretsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/',
      request: { query: SecretsListQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'List pipeline secrets (names only)', responses: { 200: jsonResponse(ListSecretsResponse, 'The secrets, without values (all of them unless max is given)'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { items, totalSize } = await authorizedList(c, q.workspaceId, 'read', WHAT, (ws) => listSecrets(c.env.DB, ws, pageOf(q, null)));
      return c.json({ pipelineSecrets: items, totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/validate',
      request: { query: ValidateNameQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Check that a secret name is well formed and free', responses: { 204: { description: 'Valid and free' }, ...errorResponses(400, 401, 404, 409) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { results } = await authorize(c, q.workspaceId, 'read', WHAT, (ws) => [secretNameRead(c.env.DB, ws, q.name)]);
      secretNameVerdict(q.name, results[0]);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/',
      request: { query: WorkspaceQuery, body: jsonBody(CreateSecretBody) },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Create a pipeline secret', responses: { 200: jsonResponse(CreateSecretResponse, 'Created'), ...errorResponses(400, 401, 403, 404, 409) } }),
    }),
    async (c) => {
      const { workspaceId } = c.req.valid('query');
      const input = c.req.valid('json');
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      // One round trip for a caller this isolate has verified (see authorizeWrite); two otherwise, or for a taken name.
      let record: NewSecret | null = null;
      const done = await authorizeWrite(c, workspaceId, 'manage', WHAT, async ({ wsId, actor, guard }) => insertSecret(c.env.DB, (record = await newSecret(keyring, wsId, input)), actor, guard));
      if (done) return c.json({ secretId: Number(record!.id) }, 200);
      const { caller, ws } = await authorize(c, workspaceId, 'manage', WHAT);
      return c.json({ secretId: Number(await createSecret(c.env.DB, keyring, caller.actor, ws, input)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{secretId}',
      request: { params: IdParam, query: WorkspaceQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Describe a pipeline secret (no value)', responses: { 200: jsonResponse(DescribeSecretResponse, 'The secret, without its value'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const { secretId } = c.req.valid('param');
      const { results } = await authorize(c, c.req.valid('query').workspaceId, 'read', WHAT, (ws) => [secretRead(c.env.DB, ws, secretId)]);
      return c.json({ pipelineSecret: secretView(secretFound(results[0], secretId)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{secretId}',
      request: { params: IdParam, query: WorkspaceQuery, body: jsonBody(UpdateSecretBody) },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: "Replace a pipeline secret's value", responses: { 204: { description: 'Updated' }, ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const { secretId } = c.req.valid('param');
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'manage', WHAT, (scope) => [secretRead(c.env.DB, scope, secretId)]);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      await updateSecret(c.env.DB, keyring, caller.actor, ws, secretId, c.req.valid('json').value, results[0]);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{secretId}',
      request: { params: IdParam, query: WorkspaceQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Delete a pipeline secret', responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) } }),
    }),
    async (c) => {
      const { secretId } = c.req.valid('param');
      const { caller, ws, results } = await authorize(c, c.req.valid('query').workspaceId, 'manage', WHAT, (scope) => [secretRead(c.env.DB, scope, secretId)]);
      await deleteSecret(c.env.DB, caller.actor, ws, secretId, results[0]);
      return c.body(null, 204);
    },
  );
