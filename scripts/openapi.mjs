#!/usr/bin/env node
// Builds /openapi.json from the routes' zod schemas into worker/assets/openapi.json, which the worker serves as a
// static asset (wrangler.toml [assets]). Runs as wrangler's [build] command, so `wrangler dev`, `npm start`,
// `wrangler deploy` and the bench always serve a fresh document. The file is committed (a fresh clone's worker tests
// serve it as is): `node scripts/openapi.mjs --check` fails when it is stale, and the worker tests run that check first.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = join(ROOT, 'worker/assets/openapi.json');

const SHARED_Z = join(ROOT, 'shared/z.ts');
export const classicZod = {
  name: 'classic-zod',
  setup(b) {
    b.onResolve({ filter: /\/z$/ }, (args) =>
      resolve(args.resolveDir, `${args.path}.ts`) === SHARED_Z ? { path: join(ROOT, 'scripts/z-classic.ts') } : undefined,
    );
  },
};

/** The document as the worker serves it (compact JSON), generated now from the schemas. */
export async function generateOpenapi() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-openapi-'));
  try {
    const outfile = join(dir, 'openapi-document.mjs');
    await build({
      entryPoints: [join(ROOT, 'scripts/openapi-document.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'error',
      // The schemas as classic zod (shared/z.ts is zod/mini for the runtime): the generator reads classic schemas.
      plugins: [classicZod],
    });
    const { openapiDocument } = await import(pathToFileURL(outfile).href);
    return JSON.stringify(openapiDocument());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Null when worker/assets/openapi.json is what the schemas make now, else what is wrong and what to do. */
export async function openapiStaleness() {
  const text = await generateOpenapi();
  let current = null;
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {}
  if (current === text) return null;
  return `worker/assets/openapi.json is ${current === null ? 'missing' : 'stale: the routes or schemas changed since it was built'}; run \`npm run openapi\` and commit it`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problem = await openapiStaleness();
    if (problem) {
      console.error(problem);
      process.exit(1);
    }
  } else {
    const text = await generateOpenapi();
    mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
    writeFileSync(OPENAPI_FILE, text);
  }
}
