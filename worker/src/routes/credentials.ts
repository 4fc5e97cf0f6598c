/** Seqera's credentials API: thin handlers over worker/src/credentials.ts. */
import * as z from '../../../shared/z';
import { createRoute } from '../api-router';
import {
  CreateCredentialsBody,
  CreateCredentialsResponse,
  CredentialsWriteQuery,
  type CredentialsInput,
  DeleteCredentialsConflict,
  DeleteCredentialsQuery,
  DescribeCredentialsResponse,
  ListCredentialsPage,
  ListCredentialsQueryPaged,
  UpdateCredentialsBody,
  ValidateCredentialsQuery,
  ValidateCredentialsResponse,
  ValidateNameQuery,
  WorkspaceQuery,
} from '../../../shared/api';
import { providersForPlatform } from '../../../shared/providers';
import { validateCredentials } from '../credential-checks';
import { relaySettings } from '../runs';
import { bearerSecurity, createRouter, errorResponses, jsonBody, jsonResponse } from '../app';
import {
  createCredentials, credentialsFound, insertCredentials, type NewCredentials, newCredentials, credentialsNameRead, credentialsNameVerdict, credentialsRead, credentialsView, deleteCredentials, deleteCredentialsReads, listCredentials, updateCredentials,
} from '../credentials';
import { ApiError, invalidField } from '../errors';
import { checkStoredLogin } from '../login-checks';
import { checksRegistryLogin, registryPolicy, registryVerifier } from '../registry';
import { authorize, authorizedList, authorizeWrite } from '../auth';
import { pageOf } from '../sql';
import { platformIdentity, trustPolicySnippet } from '../platform-identity';
import { keyringFor } from '../vault';

const tags = ['credentials'];
const IdParam = z.object({ credentialsId: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be a credentials id')) });

export const credentialsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/',
      request: { query: ListCredentialsQueryPaged },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'List credentials (secret fields never included)', responses: { 200: jsonResponse(ListCredentialsPage, 'The credentials (all of them unless max is given)'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const providers = q.platformId === undefined ? undefined : providersForPlatform(q.platformId);
      const { items, totalSize } = await authorizedList(c, q.workspaceId, 'read', undefined, (ws) => listCredentials(c.env.DB, ws, providers, pageOf(q, null)));
      return c.json({ credentials: items, totalSize }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/validate',
      request: { query: ValidateNameQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Check that a credentials name is well formed and free', responses: { 204: { description: 'Valid and free' }, ...errorResponses(400, 401, 404, 409) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { results } = await authorize(c, q.workspaceId, 'read', undefined, (ws) => [credentialsNameRead(c.env.DB, ws, q.name)]);
      credentialsNameVerdict(q.name, results[0]);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/',
      request: { query: CredentialsWriteQuery, body: jsonBody(CreateCredentialsBody) },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Create credentials', responses: { 200: jsonResponse(CreateCredentialsResponse, 'Created'), ...errorResponses(400, 401, 403, 404, 409, 502) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const input = c.req.valid('json').credentials as CredentialsInput;
      const skip = q.skipRegistryCheck === 'true';
      const options = { verify: registryVerifier(skip, registryPolicy(c.env)), useExternalId: q.useExternalId === 'true' };
      // One round trip when no registry login is to be checked before saving: that is never sent for a caller not yet
      // verified.
      if (!checksRegistryLogin(input.provider, skip)) {
        let record: NewCredentials | null = null;
        const done = await authorizeWrite(c, q.workspaceId, 'manage', undefined, async ({ wsId, actor, guard }) => {
          // Fields refused here (or needing the workspace's kind) are decided again after the caller's check, on the
          // two-trip path, so a caller not allowed in gets 401, 403 or 404 first as always.
          record = await newCredentials(keyring, { id: wsId }, input, options).catch((err) => (err instanceof ApiError ? null : Promise.reject(err)));
          return record && insertCredentials(c.env.DB, record, actor, guard);
        });
        if (done) return c.json({ credentialsId: record!.id }, 200);
      }
      const { caller, ws } = await authorize(c, q.workspaceId, 'manage');
      return c.json({ credentialsId: await createCredentials(c.env.DB, keyring, caller.actor, ws, input, options) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/{credentialsId}',
      request: { params: IdParam, query: WorkspaceQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Describe credentials (secret fields never included)', responses: { 200: jsonResponse(DescribeCredentialsResponse, 'The credentials'), ...errorResponses(400, 401, 404) } }),
    }),
    async (c) => {
      const { credentialsId } = c.req.valid('param');
      const { results } = await authorize(c, c.req.valid('query').workspaceId, 'read', undefined, (ws) => [credentialsRead(c.env.DB, ws, credentialsId)]);
      const credentials = credentialsView(credentialsFound(results[0], credentialsId));
      const setupSnippet = trustPolicySnippet(credentials.keys, platformIdentity(c.env));
      return c.json({ credentials, ...(setupSnippet ? { setupSnippet } : {}) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put', path: '/{credentialsId}',
      request: { params: IdParam, query: CredentialsWriteQuery, body: jsonBody(UpdateCredentialsBody) },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Update credentials; secret fields left out keep their stored values', responses: { 204: { description: 'Updated' }, ...errorResponses(400, 401, 403, 404, 409, 502) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { credentialsId } = c.req.valid('param');
      const { caller, ws, results } = await authorize(c, q.workspaceId, 'manage', undefined, (scope) => [credentialsRead(c.env.DB, scope, credentialsId, true)]);
      const keyring = await keyringFor(c.env.VAULT_KEYS);
      const input = c.req.valid('json').credentials as CredentialsInput & { id?: string | null };
      await updateCredentials(c.env.DB, keyring, caller.actor, ws, credentialsId, input, {
        verify: registryVerifier(q.skipRegistryCheck === 'true', registryPolicy(c.env)),
        useExternalId: q.useExternalId === 'true',
        stored: results[0],
      });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/{credentialsId}/check',
      request: { params: IdParam, query: WorkspaceQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Check a stored container-registry login with its registry (as on save); owner and admin, at most 5 times in 10 minutes per credential, audited', responses: { 204: { description: 'The registry accepts the login' }, ...errorResponses(400, 401, 403, 404, 429, 502) } }),
    }),
    async (c) => {
      const { caller, ws } = await authorize(c, c.req.valid('query').workspaceId, 'manage');
      await checkStoredLogin(c.env.DB, await keyringFor(c.env.VAULT_KEYS), caller.actor, ws, c.req.valid('param').credentialsId, registryPolicy(c.env));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/{credentialsId}/validate',
      request: { params: IdParam, query: ValidateCredentialsQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary:
        "Check credentials with their provider and record the outcome in status, lastValidated and message: container-reg logs in to its registry, aws and seqeracompute ask AWS STS (GetCallerIdentity, or AssumeRole when a role is set), others are checked for well-formedness. Owner and admin; at most 5 checks in 10 minutes per credential (with /check); audited", responses: { 200: jsonResponse(ValidateCredentialsResponse, 'The outcome; transientError when the provider could not be reached (status unchanged)'), ...errorResponses(400, 401, 403, 404, 409, 429) } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { caller, ws } = await authorize(c, q.workspaceId, 'manage');
      const outcome = await validateCredentials(c.env.DB, await keyringFor(c.env.VAULT_KEYS), caller.actor, ws, c.req.valid('param').credentialsId, {
        force: q.force === 'true',
        registryPolicy: registryPolicy(c.env),
        aws: relaySettings(c.env).target,
        platform: platformIdentity(c.env),
      });
      return c.json(outcome, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{credentialsId}',
      request: { params: IdParam, query: DeleteCredentialsQuery },
      ...(z.DOCS && { tags, security: bearerSecurity, summary: 'Delete credentials. With checked=true, refused (409 with the runs as conflicts) while runs still have secrets in AWS relayed with them; otherwise deleted, each run cleaning up with its own sealed copy of the keys', responses: {
        204: { description: 'Deleted' },
        ...errorResponses(400, 401, 403, 404),
        409: jsonResponse(z.extend(DeleteCredentialsConflict, { message: z.string() }), 'Runs still have secrets in AWS relayed with these credentials'),
      } }),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const credentialsId = c.req.valid('param').credentialsId;
      const { caller, ws, results } = await authorize(c, q.workspaceId, 'manage', undefined, (scope) => deleteCredentialsReads(c.env.DB, scope, credentialsId));
      const blocked = await deleteCredentials(c.env.DB, caller.actor, ws, credentialsId, q.checked === 'true', results);
      if (blocked) {
        const n = blocked.conflicts.length;
        const message = `Credentials '${credentialsId}' are still needed: ${n} run(s) have secrets in AWS relayed with them (${blocked.conflicts.map((r) => r.id).join(', ')}); complete those runs (POST /runs/{id}/complete) or wait for the sweeper${q.checked === 'true' ? ', or delete without checked=true (each run deletes its secrets with its own copy of the keys)' : ''}`;
        return c.json({ message, credentialsId, conflicts: blocked.conflicts }, 409);
      }
      return c.body(null, 204);
    },
  );
