/**
 * zod for every schema in shared/ and the worker: `zod/mini`, whose functions tree-shake (classic zod's methods keep
 * its whole core, every string format and its JSON-schema generator in any bundle that imports it). English
 * messages, configured once here, so every 400 reads as it did with classic zod. scripts/openapi.mjs swaps this
 * module for scripts/z-classic.ts, classic zod under the same names, so /openapi.json is generated as before.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';

/** Classic zod's `.meta(data)`: a clone of the schema with `data` in the global registry (ids, descriptions, field help). */
export function withMeta<T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, data);
  return copy;
}
