/**
 * Seqera's published OpenAPI (1.187.0) as a response validator: ajv (with ajv-formats) compiles each operation's
 * response schema for a status, with OpenAPI 3.0's `nullable` handled by ajv and the `keys` discriminator resolved
 * through the spec's own mapping. int64/int32 fields must decode as their generated clients decode them: JSON numbers,
 * integral, below 2^53.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  responses: Record<string, { content?: { 'application/json'?: { schema?: Schema } } }>;
}

export const spec = parse(readFileSync(fileURLToPath(new URL('../fixtures/seqera/seqera-api-1.187.0.yaml', import.meta.url).href), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** OpenAPI 3.0 `nullable` beside `allOf`/`$ref` (no `type`): ajv handles `nullable` only next to `type`, so spell it out. */
function nullableWithoutType(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(nullableWithoutType);
  if (s === null || typeof s !== 'object') return s;
  const out = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, nullableWithoutType(v)])) as Schema;
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

const schemas = nullableWithoutType(structuredClone(spec.components.schemas)) as Record<string, Schema>;
/**
 * `SecurityKeys` is a oneOf of objects that all allow every property, so several branches match any keys object and a
 * plain oneOf fails; Seqera's clients pick the branch by `discriminator` through the mapping. Do exactly that.
 */
const keys = schemas.SecurityKeys as { discriminator: { mapping: Record<string, string> } };
const mapping = keys.discriminator.mapping;
schemas.SecurityKeys = {
  type: 'object',
  required: ['discriminator'],
  properties: { discriminator: { type: 'string', enum: Object.keys(mapping) } },
  allOf: Object.entries(mapping).map(([value, ref]) => ({
    if: { properties: { discriminator: { const: value } } },
    then: { $ref: ref },
  })),
};

const ajv = new Ajv({ strict: false, allErrors: true, discriminator: false });
addFormats(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
const rewriteRefs = (s: unknown): unknown => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"seqera#/components/'));
for (const [name, s] of Object.entries(schemas)) schemas[name] = rewriteRefs(s) as Schema;
ajv.addSchema({ $id: 'seqera', components: { schemas } });

const cache = new Map<string, ValidateFunction | null>();

/** The spec's operation for a path template and method; throws when the spec has none. */
export function operation(method: string, path: string): Operation {
  const op = spec.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`Seqera's spec has no ${method} ${path}`);
  return op;
}

/** Validates a response against the spec: the status must be one the operation declares, the body its schema. */
export function specProblems(method: string, path: string, status: number, body: unknown): string[] {
  const op = operation(method, path);
  const declared = op.responses[String(status)];
  if (!declared) return [`${method} ${path} answered ${status}, which Seqera's spec does not declare (${Object.keys(op.responses).join(', ')})`];
  const key = `${method} ${path} ${status}`;
  if (!cache.has(key)) {
    const schema = declared.content?.['application/json']?.schema;
    cache.set(key, schema ? ajv.compile(rewriteRefs(schema) as Schema) : null);
  }
  const validate = cache.get(key);
  if (!validate) return body === null || body === '' ? [] : [`${key}: the spec declares no body, got ${JSON.stringify(body).slice(0, 200)}`];
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Names of the spec's write-only (secret) fields of a provider's keys. */
export function writeOnlyKeys(provider: string): string[] {
  const ref = mapping[provider];
  if (!ref) return [];
  const s = spec.components.schemas[ref.split('/').pop()!] as { properties: Record<string, { writeOnly?: boolean }> };
  return Object.entries(s.properties)
    .filter(([, p]) => p.writeOnly)
    .map(([n]) => n);
}

/** Every provider in the spec's Credentials.provider enum. */
export const SPEC_PROVIDERS = ((spec.components.schemas.Credentials as { properties: { provider: { enum: string[] } } }).properties.provider.enum);
