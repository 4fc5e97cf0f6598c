/**
 * shared/z.ts words zod's issues itself instead of loading zod's English locale (a dictionary of string formats the
 * schemas never use): every kind of issue, with every variant the locale distinguishes, must read exactly as the
 * locale says it, and so must the name of every string format the schemas check (a format added to the schemas
 * whose English name differs from its id needs its line in shared/z.ts's FORMATS). The messages of the shared schemas
 * themselves are compared with classic zod in zod-mini-parity.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from 'zod/v4/locales/en.js';
import { englishMessage } from '../../shared/z';

/** zod's string-format constructors (a `z.<name>(…)` check is the format `<name>`; `z.iso.<name>` too). */
const FORMAT_CONSTRUCTORS = new Set([
  'email', 'url', 'httpUrl', 'emoji', 'uuid', 'uuidv4', 'uuidv6', 'uuidv7', 'guid', 'nanoid', 'cuid', 'cuid2', 'ulid', 'xid', 'ksuid', 'datetime', 'date', 'time',
  'duration', 'ipv4', 'ipv6', 'mac', 'cidrv4', 'cidrv6', 'base64', 'base64url', 'e164', 'jwt', 'hostname', 'hex', 'hash', 'lowercase', 'uppercase',
]);

/** The string formats the shared schemas and the worker's routes check, read from their source. */
function formatsInSource(): string[] {
  const files = [
    ...readdirSync('shared').map((f) => join('shared', f)),
    ...readdirSync('worker/src', { recursive: true, encoding: 'utf8' }).map((f) => join('worker/src', f)),
  ].filter((f) => f.endsWith('.ts'));
  const found = new Set<string>();
  for (const file of files)
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/\bz\.(?:iso\.)?(\w+)\(/g)) if (FORMAT_CONSTRUCTORS.has(name!)) found.add(name === 'httpUrl' ? 'url' : name!);
  return [...found];
}

const inputs = [undefined, null, 0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 10n, '', 'x', true, [], [1], {}, Object.create(null), new Date(0), new Map(), () => 1, Symbol('s')];
const origins = [undefined, 'string', 'number', 'array', 'set', 'map', 'file', 'bigint', 'date', 'int'];

function* issues(): Generator<Record<string, unknown>> {
  for (const expected of ['string', 'number', 'nan', 'object', 'array', 'int', 'boolean', 'null', 'undefined', 'never'])
    for (const input of inputs) yield { code: 'invalid_type', expected, input };
  for (const values of [['a'], [1], [10n], [null], [true], ['a', 'b'], [1, 'b', 3n, null, undefined]]) yield { code: 'invalid_value', values, input: 'z' };
  for (const code of ['too_big', 'too_small'])
    for (const origin of origins)
      for (const exact of [undefined, false, true])
        for (const inclusive of [undefined, false, true]) yield { code, origin, exact, inclusive, maximum: 5, minimum: 2n, input: 'x' };
  for (const format of ['starts_with', 'ends_with', 'includes', 'regex', 'not_a_zod_format', ...formatsInSource()])
    yield { code: 'invalid_format', format, prefix: 'p', suffix: 's', includes: 'i', pattern: /^a+$/, input: 'x' };
  yield { code: 'not_multiple_of', divisor: 3, input: 4 };
  for (const keys of [['a'], ['a', 'b'], []]) yield { code: 'unrecognized_keys', keys, input: {} };
  for (const origin of ['map', 'record', 'set']) yield { code: 'invalid_key', origin, input: {} };
  for (const options of [undefined, [], ['aws'], ['aws', 'gitlab', 3]]) for (const inclusive of [undefined, false, true]) yield { code: 'invalid_union', options, inclusive, errors: [], input: 1 };
  for (const origin of ['map', 'set']) yield { code: 'invalid_element', origin, input: 1 };
  yield { code: 'custom', input: 1 };
  yield { code: 'something_new', input: 1 };
}

describe("shared/z.ts's English messages", () => {
  it('are checked for every string format the schemas use', () => {
    // Found at all (the scan works); a format added later is compared below like these.
    expect(formatsInSource().sort()).toEqual(expect.arrayContaining(['email', 'uuid']));
  });

  it('read exactly as zod/v4/locales/en for every kind of issue', () => {
    const locale = en().localeError;
    let n = 0;
    for (const issue of issues()) {
      expect(englishMessage(issue as never), JSON.stringify(issue, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? String(v) : v))).toBe(
        (locale as (i: unknown) => string)(issue),
      );
      n++;
    }
    expect(n).toBeGreaterThan(250);
  });
});
