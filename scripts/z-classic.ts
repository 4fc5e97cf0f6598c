/**
 * shared/z.ts as classic zod, for the OpenAPI build only (scripts/openapi.mjs aliases shared/z.ts to this module):
 * the same names as `zod/mini`, each making exactly the schema classic zod's method would (`.check(z.maxLength(n))`
 * is what `.max(n)` does), so the generator sees classic schemas and /openapi.json is the document it always was.
 */
import * as z from 'zod';

export * from 'zod';
export {
  ZodBoolean as ZodMiniBoolean,
  ZodObject as ZodMiniObject,
  ZodOptional as ZodMiniOptional,
  ZodType as ZodMiniType,
} from 'zod';

type Shape = Record<string, z.ZodType>;
export const extend = (schema: z.ZodObject, shape: Shape) => schema.extend(shape);
export const partial = (schema: z.ZodObject, mask?: Record<string, true>) => (mask ? schema.partial(mask) : schema.partial());
export const catchall = (schema: z.ZodObject, rest: z.ZodType) => schema.catchall(rest);
export const coerceNumber = z.coerce.number;
export const DOCS = true;
export const withMeta = <T extends z.ZodType>(schema: T, data: z.core.GlobalMeta | false): T => (data ? (schema.meta(data) as T) : schema);
