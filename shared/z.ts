/**
 * zod for every schema in shared/ and the worker: `zod/mini`, whose functions tree-shake (classic zod's methods keep
 * its whole core, every string format and its JSON-schema generator in any bundle that imports it). English
 * messages, configured once here, so every 400 reads as it did with classic zod. scripts/openapi.mjs swaps this
 * module for scripts/z-classic.ts, classic zod under the same names, so /openapi.json is generated as before.
 */
import * as z from 'zod/mini';
import { _coercedNumber } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

z.config(en());

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

/**
 * `z.coerce.number(params)`, made exactly as zod/mini's coerce module makes it: through the `z.coerce` namespace the
 * bundle kept every coercing schema (bigint and date with their checks, 2 kB) for this one.
 */
export const coerceNumber = (params?: string | z.core.$ZodNumberParams): z.ZodMiniNumber<unknown> => _coercedNumber(z.ZodMiniNumber, params);
