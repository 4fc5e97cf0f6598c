/** Seqera's credentials API: thin handlers over worker/src/credentials.ts. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  CreateCredentialsBody,
  CreateCredentialsResponse,
  CredentialsWriteQuery,
  type CredentialsInput,
  DescribeCredentialsResponse,
  ListCredentialsQuery,
  ListCredentialsResponse,
  UpdateCredentialsBody,
  ValidateNameQuery,
  WorkspaceQuery,
} from '../../../shared/api';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import { checkCredentialsName, createCredentials, deleteCredentials, getCredentials, listCredentials, loadCredentialsWithSecrets, updateCredentials } from '../credentials';
import { invalidField } from '../errors';
import { checkStoredLogin } from '../login-checks';
import { registryPolicy, registryVerifier } from '../registry';
import { authorize } from '../directory';
import { keyringFor } from '../vault';

const tags = ['credentials'];
const IdParam = z.object({ credentialsId: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be a credentials id') });

export const credentialsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/', tags, security: bearerSecurity, summary: 'List credentials (secret fields never included)',
      request: { query: ListCredentialsQuery },
      responses: { 200: jsonResponse(ListCredentialsResponse, 'The credentials'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ws = await authorize(c.env.DB, c.var.caller, q.workspaceId, 'read');
      return c.json({ credentials: await listCredentials(c.env.DB, ws.id, q.platformId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/validate', tags, security: bearerSecurity, summary: 'Check that a credentials name is well formed and free',
      request: { query: ValidateNameQuery },
      responses: { 204: { description: 'Valid and free' }, ...errorResponses(400, 401, 404, 409) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ws = await authorize(c.env.DB, c.var.caller, q.workspaceId, 'read');
      await checkCredentialsName(c.env.DB, ws.id, q.name);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/', tags, security: bearerSecurity, summary: 'Create credentials',
      request: { query: CredentialsWriteQuery, body: jsonBody(CreateCredentialsBody) },
      responses: { 200: jsonResponse(CreateCredentialsResponse, 'Created'), ...errorResponses(400, 401, 403, 404, 409, 502) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ws = await authorize(c.env.DB, c.var.caller, q.workspaceId, 'manage');
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const input = c.req.valid('json').credentials as CredentialsInput;
      const verify = registryVerifier(q.skipRegistryCheck === 'true', registryPolicy(c.env));
      return c.json({ credentialsId: await createCredentials(c.env.DB, keyring, c.var.caller.actor, ws, input, verify) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{credentialsId}', tags, security: bearerSecurity, summary: 'Describe credentials (secret fields never included)',
      request: { params: IdParam, query: WorkspaceQuery },
      responses: { 200: jsonResponse(DescribeCredentialsResponse, 'The credentials'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'read');
      return c.json({ credentials: await getCredentials(c.env.DB, ws.id, c.req.valid('param').credentialsId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{credentialsId}', tags, security: bearerSecurity, summary: 'Update credentials; secret fields left out keep their stored values',
      request: { params: IdParam, query: CredentialsWriteQuery, body: jsonBody(UpdateCredentialsBody) },
      responses: { 204: { description: 'Updated' }, ...errorResponses(400, 401, 403, 404, 409, 502) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ws = await authorize(c.env.DB, c.var.caller, q.workspaceId, 'manage');
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const input = c.req.valid('json').credentials as CredentialsInput & { id?: string };
      await updateCredentials(c.env.DB, keyring, c.var.caller.actor, ws, c.req.valid('param').credentialsId, input, registryVerifier(q.skipRegistryCheck === 'true', registryPolicy(c.env)));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/{credentialsId}/check', tags, security: bearerSecurity,
      summary: 'Check a stored container-registry login with its registry (as on save); owner and admin, at most 5 times in 10 minutes per credential, audited',
      request: { params: IdParam, query: WorkspaceQuery },
      responses: { 204: { description: 'The registry accepts the login' }, ...errorResponses(400, 401, 403, 404, 429, 502) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'manage');
      await checkStoredLogin(c.env.DB, await keyringFor(c.env.VAULT_KEYS), c.var.caller.actor, ws, c.req.valid('param').credentialsId, registryPolicy(c.env));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{credentialsId}', tags, security: bearerSecurity, summary: 'Delete credentials',
      request: { params: IdParam, query: WorkspaceQuery },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await authorize(c.env.DB, c.var.caller, c.req.valid('query').workspaceId, 'manage');
      await deleteCredentials(c.env.DB, c.var.caller.actor, ws, c.req.valid('param').credentialsId);
      return c.body(null, 204);
    },
  );
