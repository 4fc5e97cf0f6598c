/**
 * shared/ is written against zod/mini (shared/z.ts) and the OpenAPI build reads the same source as classic zod
 * (scripts/z-classic.ts). Both builds must accept and refuse the same inputs with the same issues and messages:
 * otherwise /openapi.json would describe other rules than the worker applies, or a 400 would read differently from
 * what classic zod said. Every exported schema is parsed with a spread of good and bad values, per field, and every
 * provider's credentials body with each keys field set to each value.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { classicZod } from '../../scripts/openapi.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = ['api', 'trace', 'names', 'providers'].map((m) => `export * as ${m} from './shared/${m}';`).join('\n');

type Schema = { _zod: { def: { shape?: Record<string, unknown> } }; safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<Record<string, unknown>> } } };
type Shared = Record<'api' | 'trace' | 'names' | 'providers', Record<string, unknown>>;

async function load(dir: string, name: string, classic: boolean): Promise<Shared> {
  const outfile = join(dir, `${name}.mjs`);
  await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error', plugins: classic ? [classicZod] : [] });
  return import(pathToFileURL(outfile).href);
}

const VALUES = [
  undefined, null, '', ' ', '  padded  ', 'x'.repeat(3000), 123, -1, 0, 1.5, 2 ** 60, true, [], ['a', 1], {}, { a: 1 }, 'abc', 'ABC', '2026-01-01',
  '2026-13-45', 'https://git.example.com', 'ftp://x', 'http://u:p@x', 'AKIA X', 'arn:aws:iam::123456789012:role/R', '12345', 'docker.io',
  '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----', 'a/b', 'keys', 'role', '11111111-2222-3333-4444-555555555555',
];

function outcome(schema: Schema, input: unknown): string {
  try {
    const r = schema.safeParse(input);
    return JSON.stringify(r.success ? { data: r.data } : r.error!.issues.map((i) => ({ code: i.code, path: i.path, message: i.message, keys: i.keys })));
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

describe('shared schemas on zod/mini', () => {
  it('accept and refuse exactly what classic zod does, with the same messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-zod-parity-'));
    try {
      const [mini, classic] = await Promise.all([load(dir, 'mini', false), load(dir, 'classic', true)]);
      const differences: string[] = [];
      let compared = 0;
      const compare = (what: string, a: Schema, b: Schema, input: unknown) => {
        compared++;
        const [x, y] = [outcome(a, input), outcome(b, input)];
        if (x !== y && differences.length < 10) differences.push(`${what} ${JSON.stringify(input)?.slice(0, 80)}:\n  mini    ${x.slice(0, 300)}\n  classic ${y.slice(0, 300)}`);
      };
      for (const mod of ['api', 'trace', 'names', 'providers'] as const) {
        for (const [name, value] of Object.entries(mini[mod])) {
          const other = classic[mod][name] as Record<string, Schema> & Schema;
          const pairs: Array<[string, Schema, Schema]> = (value as Schema)?._zod
            ? [[name, value as Schema, other]]
            : value && typeof value === 'object' && !Array.isArray(value)
              ? Object.entries(value as Record<string, Schema>).filter(([, s]) => s?._zod).map(([k, s]) => [`${name}.${k}`, s, other[k]!])
              : [];
          for (const [what, a, b] of pairs) {
            for (const v of VALUES) compare(what, a, b, v);
            for (const key of Object.keys(a._zod.def.shape ?? {})) for (const v of VALUES) compare(`${what}.${key}`, a, b, { [key]: v });
          }
        }
      }
      const providers = mini.providers as { PROVIDER_IDS: string[]; providerKeys: Record<string, Schema>; providerFields(p: string): unknown };
      for (const p of providers.PROVIDER_IDS) {
        for (const body of ['CreateCredentialsBody', 'UpdateCredentialsBody']) {
          const [a, b] = [mini.api[body] as Schema, classic.api[body] as Schema];
          for (const key of [...Object.keys(providers.providerKeys[p]!._zod.def.shape!), 'bogus', 'discriminator'])
            for (const v of VALUES)
              compare(`${body} ${p}.${key}`, a, b, { credentials: { name: 'my-creds', provider: p, description: v, baseUrl: typeof v === 'string' ? v : undefined, expiresAt: typeof v === 'string' ? v : undefined, keys: { [key]: v } } });
        }
        // The extension's forms read each field's metadata.
        expect(providers.providerFields(p)).toEqual((classic.providers as typeof providers).providerFields(p));
      }
      expect(differences).toEqual([]);
      expect(compared).toBeGreaterThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
