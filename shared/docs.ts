/**
 * OpenAPI-only text in or out (its own module: esbuild inlines the constant only from a module without `export *`).
 * LATCHKEY_OPENAPI_DOCS: left undefined (the OpenAPI build, the tests) or true, everything is kept; false (the
 * worker's bundle, wrangler.toml) drops it all; 'help' (the extension's bundle, wxt.config.ts) keeps only the help
 * its forms show (provider field descriptions) and drops the rest. One define with three values rather than two
 * defines, so that each bundler folds both constants from the one value it is given.
 */
declare const LATCHKEY_OPENAPI_DOCS: boolean | 'help' | undefined;
/**
 * Whether OpenAPI-only text (route summaries, response schemas, schema descriptions) is kept: everything written
 * `DOCS && …` is dropped from the worker's and the extension's bundles. Typed `true` so route types keep their
 * responses.
 */
export const DOCS = (typeof LATCHKEY_OPENAPI_DOCS === 'undefined' || LATCHKEY_OPENAPI_DOCS === true) as true;
/**
 * Whether the help of the provider fields (their descriptions) is kept: /openapi.json documents it and the
 * extension's forms show it; the worker never reads it, so its bundle drops everything written `HELP && …`.
 */
export const HELP = (typeof LATCHKEY_OPENAPI_DOCS === 'undefined' || LATCHKEY_OPENAPI_DOCS !== false) as true;
