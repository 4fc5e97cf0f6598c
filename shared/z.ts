/**
 * zod for every schema in shared/ and the worker: `zod/mini`, whose functions tree-shake (classic zod's methods keep
 * its whole core, every string format and its JSON-schema generator in any bundle that imports it). English
 * messages, configured once here, so every 400 reads as it did with classic zod. scripts/openapi.mjs swaps this
 * module for scripts/z-classic.ts, classic zod under the same names, so /openapi.json is generated as before.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

declare const LATCHKEY_ZOD_ENGLISH: boolean | undefined;
/**
 * zod's English is for issues whose schema has no message of its own (a wrong type, an unknown key), which the
 * worker's 400s are built from (worker/src/app.ts). The extension's build defines LATCHKEY_ZOD_ENGLISH as false and
 * leaves it out (1 kB gzip): every rule its forms can break has a message of its own, so they read the same without
 * it (test/extension/credential-form.test.ts checks).
 */
if (typeof LATCHKEY_ZOD_ENGLISH === 'undefined' || LATCHKEY_ZOD_ENGLISH) z.config(en());

export * from 'zod/mini';

export { DOCS } from './docs';

/**
 * Classic zod's `.meta(data)`: a clone of the schema with `data` in the global registry (ids, descriptions, field
 * help). `false` (documentation left out of the bundle, `DOCS && {…}`) keeps the schema as it is.
 */
export function withMeta<T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta | false): T {
  if (!data) return schema;
  const copy = schema.clone();
  z.globalRegistry.add(copy, data);
  return copy;
}
