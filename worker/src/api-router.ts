/**
 * Routes declared once, as OpenAPI operations with zod schemas: at run time each is a plain Hono route with zod
 * validation of its query, path, headers and JSON body; at build time scripts/openapi.mjs turns the same declarations
 * into /openapi.json. The OpenAPI generator is never in the worker's bundle: this module keeps the declarations as
 * data and nothing more. Typed like @hono/zod-openapi's `openapi()`, so Hono's typed client (`hc<AppType>`) still
 * knows every route's input and answers.
 */
import type { Context, Env, Handler, MiddlewareHandler, Schema, ToSchema, TypedResponse, ValidationTargets } from 'hono';
import { HonoBase } from 'hono/hono-base';
import { PatternRouter } from 'hono/router/pattern-router';
import type { Params, Result } from 'hono/router';
import type { MergePath, MergeSchemaPath } from 'hono/types';
import type { StatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';
import { HTTPException } from 'hono/http-exception';
import { mergePath } from 'hono/utils/url';
import { validator } from 'hono/validator';
import type * as core from 'zod/v4/core';

type ZodSchema = core.$ZodType;
type JsonContent = { 'application/json': { schema: ZodSchema } };

/** One operation: what Hono routes and validates, and what the OpenAPI document says about it. */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** OpenAPI form, `/x/{id}`. */
  path: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  /** Run before validation (e.g. a token check that must decide before the body is read). */
  middleware?: readonly MiddlewareHandler<any, any, any>[];
  request?: {
    query?: ZodSchema;
    params?: ZodSchema;
    headers?: ZodSchema;
    body?: { required?: boolean; description?: string; content: JsonContent };
  };
  responses: Record<number, { description: string; content?: JsonContent }>;
}

/** The result handed to the validation hook: zod's answer and which part of the request it was about. */
export type ValidationResult = { target: keyof ValidationTargets } & ({ success: true; data: unknown } | { success: false; error: core.$ZodError });
export type ValidationHook<E extends Env> = (result: ValidationResult, c: Context<E>) => Response | void | Promise<Response | void>;

type ConvertPath<T extends string> = T extends `${infer Start}/{${infer Param}}${infer Rest}` ? `${Start}/:${Param}${ConvertPath<Rest>}` : T;
type Part<R extends ApiRoute, K extends string> = R['request'] extends Record<K, infer S extends ZodSchema> ? S : never;
type HasUndefined<T> = undefined extends T ? true : false;
type InputOf<R extends ApiRoute, K extends string, T extends keyof ValidationTargets> = [Part<R, K>] extends [never]
  ? {}
  : {
      in: { [X in T]: HasUndefined<ValidationTargets[X]> extends true ? { [Y in keyof core.input<Part<R, K>>]?: core.input<Part<R, K>>[Y] } : { [Y in keyof core.input<Part<R, K>>]: core.input<Part<R, K>>[Y] } };
      out: { [X in T]: core.output<Part<R, K>> };
    };
type JsonInputOf<R extends ApiRoute> = R['request'] extends { body: { content: { 'application/json': { schema: infer S extends ZodSchema } } } }
  ? { in: { json: core.input<S> }; out: { json: core.output<S> } }
  : {};
export type RouteInput<R extends ApiRoute> = InputOf<R, 'params', 'param'> & InputOf<R, 'query', 'query'> & InputOf<R, 'headers', 'header'> & JsonInputOf<R>;

/** Each documented status as a typed answer: its JSON body, or no body. */
export type RouteOutput<R extends ApiRoute> = {
  [S in keyof R['responses'] & StatusCode]: R['responses'][S] extends { content: { 'application/json': { schema: infer X extends ZodSchema } } }
    ? TypedResponse<JSONParsed<core.output<X>>, S, 'json'>
    : TypedResponse<{}, S, string>;
}[keyof R['responses'] & StatusCode];

/** What a handler may return: a documented answer, or any Response when some status is documented without a body. */
type HandlerResult<R extends ApiRoute> = R extends { responses: Record<number, { content: JsonContent }> } ? RouteOutput<R> : RouteOutput<R> | Response;

const JSON_MEDIA = /^application\/([a-z-.]+\+)?json/i;
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** Validates one part of the request with a zod schema and hands the outcome to the hook (as @hono/zod-validator). */
function zodValidator<E extends Env>(target: keyof ValidationTargets, schema: ZodSchema, hook: ValidationHook<E>) {
  // Header names arrive lower-cased: map them back to the schema's spelling.
  const shape = target === 'header' ? ((schema as core.$ZodObject)._zod.def.shape ?? {}) : null;
  const headerNames = shape ? Object.fromEntries(Object.keys(shape).map((k) => [k.toLowerCase(), k])) : null;
  return validator(target, async (value: Record<string, unknown>, c: Context<E>) => {
    const input = headerNames ? Object.fromEntries(Object.entries(value).map(([k, v]) => [headerNames[k] ?? k, v])) : value;
    const result = await (schema as unknown as { safeParseAsync(v: unknown): Promise<{ success: true; data: unknown } | { success: false; error: core.$ZodError }> }).safeParseAsync(input);
    const answer = await hook({ ...result, target }, c);
    if (answer instanceof Response) return answer;
    if (!result.success) return c.json(result, 400);
    return result.data;
  });
}

/** Whether the request carries a body of any length (a body without a content type is refused). */
async function hasRequestBody(c: Context): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  if (raw.bodyUsed) return (await c.req.arrayBuffer()).byteLength > 0;
  const body = raw.clone().body;
  if (body === null) return false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** A body declared as JSON accepts only a JSON content type (415 otherwise), as @hono/zod-openapi did. */
const jsonMediaTypeGate: MiddlewareHandler = async (c, next) => {
  const contentType = c.req.header('content-type');
  if (contentType ? !JSON_REQUEST.test(contentType) : await hasRequestBody(c)) throw new HTTPException(415, { message: 'Unsupported Media Type' });
  await next();
};

/**
 * Hono's PatternRouter (one regular expression per route: a fraction of the default SmartRouter's code), as strict
 * about a trailing slash as the default router: `/x` does not answer `/x/` (a 404, after the `/x/*` middleware, as
 * before). PatternRouter itself lets every path that does not end in `*` match with one slash more.
 */
class StrictPatternRouter<T> extends PatternRouter<T> {
  readonly #exact = new Set<T>();

  override add(method: string, path: string, handler: T) {
    if (!path.endsWith('*')) this.#exact.add(handler);
    super.add(method, path, handler);
  }

  override match(method: string, path: string): Result<T> {
    const [handlers] = super.match(method, path) as [[T, Params][]];
    return [path.length > 1 && path.endsWith('/') ? handlers.filter(([handler]) => !this.#exact.has(handler)) : handlers];
  }
}

/** A route declaration, its path kept as a literal type for Hono's typed client. */
export const createRoute = <P extends string, R extends Omit<ApiRoute, 'path'> & { path: P }>(route: R): R => route;

export class ApiRouter<E extends Env = Env, S extends Schema = {}, BasePath extends string = '/'> extends HonoBase<E, S, BasePath> {
  /** Every operation declared here or in a router mounted with route(), full path, in declaration order. */
  readonly operations: ApiRoute[] = [];

  constructor(private readonly hook: ValidationHook<E>) {
    super({ router: new StrictPatternRouter() });
  }

  openapi<R extends ApiRoute>(
    route: R,
    handler: Handler<E, ConvertPath<R['path']>, RouteInput<R>, HandlerResult<R> | Promise<HandlerResult<R>>>,
  ): ApiRouter<E, S & ToSchema<R['method'], MergePath<BasePath, ConvertPath<R['path']>>, RouteInput<R>, RouteOutput<R>>, BasePath> {
    this.operations.push(route);
    const hook = this.hook;
    const request = route.request;
    const validators: MiddlewareHandler[] = [];
    if (request?.query) validators.push(zodValidator('query', request.query, hook));
    if (request?.params) validators.push(zodValidator('param', request.params, hook));
    if (request?.headers) validators.push(zodValidator('header', request.headers, hook));
    const body = request?.body?.content['application/json']?.schema;
    if (body) {
      validators.push(jsonMediaTypeGate);
      const validate = zodValidator('json', body, hook);
      validators.push(
        request!.body!.required
          ? validate
          : async (c, next) => {
              const type = c.req.header('content-type');
              if (type && JSON_MEDIA.test(type)) return validate(c, next);
              c.req.addValidatedData('json', {});
              await next();
            },
      );
    }
    this.on([route.method], [route.path.replaceAll(/\/{(.+?)}/g, '/:$1')], ...((route.middleware ?? []) as MiddlewareHandler[]), ...validators, handler as Handler);
    return this as never;
  }

  override route<SubPath extends string, SubEnv extends Env, SubSchema extends Schema, SubBasePath extends string>(
    path: SubPath,
    app: HonoBase<SubEnv, SubSchema, SubBasePath>,
  ): ApiRouter<E, MergeSchemaPath<SubSchema, MergePath<BasePath, SubPath>> | S, BasePath> {
    super.route(path, app);
    if (app instanceof ApiRouter) {
      const prefix = path.replaceAll(/:([^/]+)/g, '{$1}');
      for (const op of app.operations as ApiRoute[]) this.operations.push({ ...op, path: mergePath(prefix, op.path) });
    }
    return this as never;
  }
}
