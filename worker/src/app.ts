/**
 * The app's shape: one typed Hono context, one validation hook that names the field and the rule, and one error
 * handler that maps everything to `{ "message": … }` without leaking internals.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type * as core from 'zod/v4/core';
import { ErrorBody } from '../../shared/api';
import { DOCS } from '../../shared/docs';
import { ApiRouter } from './api-router';
import type { Actor } from './audit';
import type { Principal } from './directory';
import type { Env } from './env';
import { ApiError } from './errors';
import { VaultConfigError, VaultIntegrityError } from './vault';

export interface Caller {
  userId: string;
  personalWorkspaceId: string;
  /** The access token used, or null for a Cloudflare Access session. */
  tokenId: string | null;
  tokenExpiresAt: string | null;
  actor: Actor;
}

export type AppEnv = {
  Bindings: Env;
  Variables: { principal: Principal; presentedSha256: Promise<string> | null; caller: Caller; adminActor: Actor };
};

const TARGET_LABEL: Record<string, string> = { json: 'Field', query: 'Query parameter', param: 'Path parameter', header: 'Header' };

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** One sentence per zod issue, naming the field and the rule; never the submitted value. */
export function describeZodError(error: core.$ZodError, target: string): string {
  const label = TARGET_LABEL[target] ?? 'Field';
  const sentences = error.issues.slice(0, 5).map((issue) => {
    const field = pathOf(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const where = field ? `'${field}' has` : 'The request body has';
      return `${where} unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; check the spelling against /openapi.json`;
    }
    let rule = issue.message;
    const typeMatch = /^Invalid input: expected (\w+), received (\w+)$/.exec(rule);
    if (typeMatch) rule = typeMatch[2] === 'undefined' ? 'is required' : `must be ${/^[aeiou]/.test(typeMatch[1]!) ? 'an' : 'a'} ${typeMatch[1]}, not ${/^[aeiou]/.test(typeMatch[2]!) ? 'an' : 'a'} ${typeMatch[2]}`;
    if (!field) return target === 'json' ? `The request body ${rule === 'is required' ? 'must be a JSON object' : rule}` : `The ${target} ${rule}`;
    return `${label} '${field}' ${rule}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return sentences.join('; ') + more;
}

export function createRouter() {
  return new ApiRouter<AppEnv>((result, c) => {
    if (!result.success) return c.json({ message: describeZodError(result.error, result.target) }, 400);
  });
}

export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) return c.json({ message: err.message }, err.status, err.headers);
  if (err instanceof HTTPException) {
    const message = err.status === 400 && /JSON/i.test(err.message)
      ? 'The request body is not valid JSON; send a JSON object with Content-Type: application/json'
      : err.message || 'Request refused';
    return c.json({ message }, err.status);
  }
  if (err instanceof VaultIntegrityError) return c.json({ message: err.message }, 500);
  if (err instanceof VaultConfigError) {
    console.error(`latchkey: ${err.message}`);
    return c.json({ message: 'The vault is not configured: VAULT_KEYS is missing or invalid. The operator must fix the worker secret.' }, 503);
  }
  // Log the kind and message only: never request bodies, which may hold secrets.
  console.error(`latchkey: unexpected ${err.name} on ${c.req.method} ${new URL(c.req.url).pathname}: ${err.message}`);
  return c.json({ message: 'Internal error; the request was not applied. Try again, and report it if it persists.' }, 500);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * State changes need a JSON body: `Content-Type: application/json` on every POST, PUT and PATCH (send `{}` when there
 * is nothing to say), and no other content type on a DELETE. A cross-site HTML form can only send form or text
 * bodies, and a cross-origin fetch with JSON needs a CORS preflight this worker grants only to extension origins, so a
 * page cannot make a signed-in browser (a Cloudflare Access cookie) change anything.
 */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method;
  const type = c.req.header('content-type');
  const needsJson = method === 'POST' || method === 'PUT' || method === 'PATCH';
  if ((needsJson && !type) || (type && (needsJson || method === 'DELETE') && !JSON_TYPE.test(type)))
    throw new ApiError(
      415,
      `${method} ${new URL(c.req.url).pathname} changes state and accepts only Content-Type: application/json${type ? `, not '${type.slice(0, 100)}'` : ', and none was sent'}; send a JSON body (an empty object {} when there is nothing to say)`,
    );
  await next();
});

/**
 * Error responses for the OpenAPI document. The helpers used only in `DOCS && …` are themselves `DOCS && …`: esbuild
 * decides what the bundle keeps before it folds the imported DOCS constant, so a reference inside a dropped
 * `DOCS && {…}` would still keep them.
 */
export const errorResponses = DOCS && ((...statuses: Array<400 | 401 | 403 | 404 | 409 | 415 | 429 | 502>) => {
  const text: Record<number, string> = {
    400: 'Invalid input: the message names the field and the rule',
    401: 'No, malformed, expired or revoked access token',
    403: 'Your role in the workspace is too low',
    404: 'Not found, or in a workspace you cannot see',
    409: 'Name already taken',
    415: 'A state change sent without Content-Type: application/json',
    429: 'Too many attempts; the message and Retry-After say when to try again',
    502: 'An upstream service refused or failed',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: text[s]!, content: { 'application/json': { schema: ErrorBody } } }]),
  ) as Record<(typeof statuses)[number], { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }>;
});

export function requestActor(c: Context, kind: Actor['kind'], id: string | null): Actor {
  return { kind, id, ip: c.req.header('cf-connecting-ip') ?? null, userAgent: c.req.header('user-agent') ?? null };
}

/** An OpenAPI response with a JSON body. */
export const jsonResponse = DOCS && (<T extends core.$ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } }));
/** An OpenAPI request body in JSON. */
export const jsonBody = <T extends core.$ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
export const bearerSecurity = [{ bearerAuth: [] }];
