/** Seqera's pipeline-secrets API: thin handlers over worker/src/secrets.ts. Values are write-only. */
import * as z from 'zod';
import { createRoute } from '../api-router';
import {
  CreateSecretBody,
  CreateSecretResponse,
  DescribeSecretResponse,
  ListSecretsResponse,
  UpdateSecretBody,
  ValidateNameQuery,
  WorkspaceQuery,
} from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { authorize } from '../directory';
import { checkSecretName, createSecret, deleteSecret, getSecret, listSecrets, updateSecret } from '../secrets';
import { keyringFor } from '../vault';

const tags = ['pipeline-secrets'];
const IdParam = z.object({ secretId: z.string().regex(/^\d{1,20}$/, 'must be a numeric pipeline secret id') });
const WHAT = 'pipeline secrets';

export const pipelineSecretsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/', tags, security: bearerSecurity, summary: 'List pipeline secrets (names only)',
      request: { query: WorkspaceQuery },
      responses: { 200: jsonResponse(ListSecretsResponse, 'The secrets, without values'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'read', WHAT);
      const pipelineSecrets = await listSecrets(c.env.DB, ws.id);
      return c.json({ pipelineSecrets, totalSize: pipelineSecrets.length }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/validate', tags, security: bearerSecurity, summary: 'Check that a secret name is well formed and free',
      request: { query: ValidateNameQuery },
      responses: { 204: { description: 'Valid and free' }, ...errorResponses(400, 401, 404, 409) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ws = await authorize(c.env.DB, c.var.caller, q.workspaceId, 'read', WHAT);
      await checkSecretName(c.env.DB, ws.id, q.name);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/', tags, security: bearerSecurity, summary: 'Create a pipeline secret',
      request: { query: WorkspaceQuery, body: jsonBody(CreateSecretBody) },
      responses: { 200: jsonResponse(CreateSecretResponse, 'Created'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'manage', WHAT);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      return c.json({ secretId: Number(await createSecret(c.env.DB, keyring, c.var.caller.actor, ws, c.req.valid('json'))) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{secretId}', tags, security: bearerSecurity, summary: 'Describe a pipeline secret (no value)',
      request: { params: IdParam, query: WorkspaceQuery },
      responses: { 200: jsonResponse(DescribeSecretResponse, 'The secret, without its value'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'read', WHAT);
      return c.json({ pipelineSecret: await getSecret(c.env.DB, ws.id, c.req.valid('param').secretId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{secretId}', tags, security: bearerSecurity, summary: "Replace a pipeline secret's value",
      request: { params: IdParam, query: WorkspaceQuery, body: jsonBody(UpdateSecretBody) },
      responses: { 204: { description: 'Updated' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'manage', WHAT);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      await updateSecret(c.env.DB, keyring, c.var.caller.actor, ws, c.req.valid('param').secretId, c.req.valid('json').value);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{secretId}', tags, security: bearerSecurity, summary: 'Delete a pipeline secret',
      request: { params: IdParam, query: WorkspaceQuery },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'manage', WHAT);
      await deleteSecret(c.env.DB, c.var.caller.actor, ws, c.req.valid('param').secretId);
      return c.body(null, 204);
    },
  );
