/** Documentation text in or out (its own module: esbuild inlines the constant only from a module without `export *`). */
declare const LATCHKEY_OPENAPI_DOCS: boolean | undefined;
/**
 * Whether text only people read is kept: route summaries, answer schemas and schema descriptions for the OpenAPI
 * document, and the field titles, help and provider labels the extension's forms show. The worker never shows any of
 * it: wrangler.toml defines LATCHKEY_OPENAPI_DOCS as false for the worker's bundle (and the worker tests, which run
 * it as configured there), so esbuild drops everything written `DOCS && …`; the OpenAPI build and the extension leave
 * it undefined and keep it. Typed `true` so route types keep their responses.
 */
export const DOCS = (typeof LATCHKEY_OPENAPI_DOCS === 'undefined' || LATCHKEY_OPENAPI_DOCS) as true;
