/** OpenAPI-only text in or out (its own module: esbuild inlines the constant only from a module without `export *`). */
declare const LATCHKEY_OPENAPI_DOCS: boolean | undefined;
/**
 * Whether OpenAPI-only text (route summaries, response schemas, schema descriptions) is kept: wrangler.toml defines
 * LATCHKEY_OPENAPI_DOCS as false for the worker's bundle, so esbuild drops everything written `DOCS && …`; the OpenAPI
 * build, the tests and the extension leave it undefined and keep it. Typed `true` so route types keep their responses.
 */
export const DOCS = (typeof LATCHKEY_OPENAPI_DOCS === 'undefined' || LATCHKEY_OPENAPI_DOCS) as true;
