/**
 * zod for every schema in shared/ and the worker: `zod/mini`, whose functions tree-shake (classic zod's methods keep
 * its whole core, every string format and its JSON-schema generator in any bundle that imports it). English
 * messages (classic zod's), configured once here, so every 400 reads as it did with classic zod. scripts/openapi.mjs swaps this
 * module for scripts/z-classic.ts, classic zod under the same names, so /openapi.json is generated as before.
 */
import * as z from 'zod/mini';
import { _coercedNumber } from 'zod/v4/core';

/** The units of zod's size messages, by the kind of value measured. */
const UNITS: Record<string, string> = { string: 'characters', file: 'bytes', array: 'items', set: 'items', map: 'entries' };
/** The names of the string formats these schemas check (each with a message of its own; this is the fallback). */
const FORMATS: Record<string, string> = { email: 'email address', uuid: 'UUID' };

const typeName = (type: string, input?: unknown) => (type === 'number' && typeof input === 'number' && !Number.isFinite(input) ? String(input) : type === 'nan' ? 'NaN' : type);
const shown = (value: unknown) => (typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `"${value}"` : `${value}`);

function typeOf(input: unknown): string {
  if (typeof input === 'number') return Number.isNaN(input) ? 'nan' : 'number';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'object' && Object.getPrototypeOf(input) !== Object.prototype && 'constructor' in input && input.constructor) return (input.constructor as { name: string }).name;
  return typeof input;
}

/**
 * zod's English messages (zod/v4/locales/en), word for word, for every kind of issue: the locale module itself is a
 * dictionary of 30 string formats these schemas never use (test/scripts/zod-english.test.ts compares the two).
 */
export function englishMessage(issue: z.core.$ZodRawIssue): string {
  const i = issue as z.core.$ZodRawIssue & Record<string, any>;
  switch (i.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(i.expected)}, received ${typeName(typeOf(i.input), i.input)}`;
    case 'invalid_value':
      return i.values.length === 1 ? `Invalid input: expected ${shown(i.values[0])}` : `Invalid option: expected one of ${i.values.map(shown).join('|')}`;
    case 'too_big':
    case 'too_small': {
      const big = i.code === 'too_big';
      const unit = UNITS[i.origin];
      const bound = `${i.exact ? 'exactly ' : `${big ? '<' : '>'}${i.inclusive ? '=' : ''}`}${(big ? i.maximum : i.minimum).toString()}`;
      return `Too ${big ? 'big' : 'small'}: expected ${big ? (i.origin ?? 'value') : i.origin} to ${unit ? `have ${bound} ${unit}` : `be ${bound}`}`;
    }
    case 'invalid_format':
      return i.format === 'starts_with'
        ? `Invalid string: must start with "${i.prefix}"`
        : i.format === 'ends_with'
          ? `Invalid string: must end with "${i.suffix}"`
          : i.format === 'includes'
            ? `Invalid string: must include "${i.includes}"`
            : i.format === 'regex'
              ? `Invalid string: must match pattern ${i.pattern}`
              : `Invalid ${FORMATS[i.format] ?? i.format}`;
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${i.divisor}`;
    case 'unrecognized_keys':
      return `Unrecognized key${i.keys.length > 1 ? 's' : ''}: ${i.keys.map(shown).join(', ')}`;
    case 'invalid_key':
      return `Invalid key in ${i.origin}`;
    case 'invalid_union':
      return Array.isArray(i.options) && i.options.length > 0
        ? `Invalid discriminator value. Expected ${i.options.map((o: unknown) => `'${o}'`).join(' | ')}`
        : i.inclusive === false
          ? 'Invalid input: more than one option matched'
          : 'Invalid input';
    case 'invalid_element':
      return `Invalid value in ${i.origin}`;
    default:
      return 'Invalid input';
  }
}

declare const LATCHKEY_ZOD_ENGLISH: boolean | undefined;
/**
 * zod's English is for issues whose schema has no message of its own (a wrong type, an unknown key), which the
 * worker's 400s are built from (worker/src/app.ts). The extension's build defines LATCHKEY_ZOD_ENGLISH as false and
 * leaves it out: every rule its forms can break has a message of its own, so they read the same without it
 * (test/extension/credential-form.test.ts checks).
 */
if (typeof LATCHKEY_ZOD_ENGLISH === 'undefined' || LATCHKEY_ZOD_ENGLISH) z.config({ localeError: englishMessage });

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
