#!/usr/bin/env node
// Worker bundle size, raw and gzip, from `wrangler deploy --dry-run --outdir`: the worker as shipped (aws4fetch)
// beside the same worker with @aws-sdk/client-secrets-manager + client-sts in its place (built here only).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

// Absolute: wrangler resolves --outdir against the config file's folder.
const BUILD = resolve('bench/.build');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };

function dryRun(config, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  execFileSync('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--outdir', outdir, '--config', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const js = readdirSync(outdir).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
  const bytes = js.map((f) => readFileSync(join(outdir, f)));
  return { raw: bytes.reduce((n, b) => n + b.length, 0), gzip: bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

// The shipped worker.
const ours = dryRun('wrangler.toml', join(BUILD, 'aws4fetch'));

// The same worker with the AWS SDK: a copy of worker/ and shared/ with secrets-manager.ts swapped.
const sdkRoot = join(BUILD, 'aws-sdk-src');
rmSync(sdkRoot, { recursive: true, force: true });
mkdirSync(sdkRoot, { recursive: true });
cpSync('worker', join(sdkRoot, 'worker'), { recursive: true });
cpSync('shared', join(sdkRoot, 'shared'), { recursive: true });
renameSync(join(sdkRoot, 'worker/src/secrets-manager.ts'), join(sdkRoot, 'worker/src/secrets-manager.aws4fetch.ts'));
cpSync('bench/aws-sdk/secrets-manager.ts', join(sdkRoot, 'worker/src/secrets-manager.ts'));
const toml = readFileSync('wrangler.toml', 'utf8')
  .replace(/^compatibility_date = .*$/m, (line) => `${line}\ncompatibility_flags = ["nodejs_compat"]`)
  // The document is built once, above, for the shipped worker; the copy serves the same file.
  .replace(/^\[build\]\ncommand = .*\n/m, '')
  .replace(/^directory = "worker\/assets"$/m, `directory = ${JSON.stringify(resolve('worker/assets'))}`);
writeFileSync(join(sdkRoot, 'wrangler.toml'), toml);
let sdk = null;
try {
  sdk = dryRun(join(sdkRoot, 'wrangler.toml'), join(BUILD, 'aws-sdk'));
} catch (err) {
  // bench/aws-sdk/secrets-manager.ts must export what worker/src/secrets-manager.ts does; say so rather than stop the bench.
  const why = String(err.stderr ?? err.message).match(/No matching export[^\n]*/)?.[0] ?? 'the build failed';
  console.log(JSON.stringify({ figure: 'bundle', variant: '@aws-sdk/client-secrets-manager + client-sts', error: `not built: ${why.replace(/\x1b\[[0-9;]*m/g, '')}` }));
}

const line = (o) => console.log(JSON.stringify(o));
line({ figure: 'bundle', variant: 'aws4fetch (shipped)', rawBytes: ours.raw, gzipBytes: ours.gzip });
if (sdk) {
  line({ figure: 'bundle', variant: '@aws-sdk/client-secrets-manager + client-sts', rawBytes: sdk.raw, gzipBytes: sdk.gzip });
  line({ figure: 'bundle.ratio', what: 'aws-sdk / aws4fetch', raw: Number((sdk.raw / ours.raw).toFixed(2)), gzip: Number((sdk.gzip / ours.gzip).toFixed(2)) });
}
