#!/usr/bin/env node
// Worker startup: workerd started on the built bundle (parse, compile, top-level evaluation) until the first
// /service-info answer, for the bundle at the baseline commit (before issue 12) beside the current one, built the
// same way (`wrangler deploy --dry-run --outdir`). Runs alternate baseline/current; medians of RUNS each.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';

const BASELINE = 'b599b90';
const RUNS = Number(process.env.STARTUP_RUNS ?? 9);
const BUILD = resolve('bench/.build/startup');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };

function dryRun(config, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(resolve('node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, '--config', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const file = readdirSync(outdir).find((f) => f.endsWith('.js'));
  return join(outdir, file);
}

// The baseline's sources from git (works on a fresh clone), built with today's node_modules (same dependencies).
const baseSrc = join(BUILD, 'baseline-src');
rmSync(baseSrc, { recursive: true, force: true });
mkdirSync(baseSrc, { recursive: true });
execFileSync('sh', ['-c', `git archive ${BASELINE} worker shared wrangler.toml package.json | tar -x -C "${baseSrc}"`]);
if (!existsSync(join(baseSrc, 'node_modules'))) symlinkSync(resolve('node_modules'), join(baseSrc, 'node_modules'), 'dir');
mkdirSync(join(BUILD, 'empty'), { recursive: true });
writeFileSync(join(BUILD, 'empty/index.js'), "export default { fetch() { return new Response('{}'); } };\n");
const bundles = {
  // The floor: workerd's own start and one request, with a worker of one line.
  empty: join(BUILD, 'empty/index.js'),
  baseline: dryRun(join(baseSrc, 'wrangler.toml'), join(BUILD, 'baseline')),
  current: dryRun(resolve('wrangler.toml'), join(BUILD, 'current')),
};

const compatibilityDate = /^compatibility_date = "(.+)"/m.exec(readFileSync('wrangler.toml', 'utf8'))[1];
const bindings = { VAULT_KEYS: JSON.stringify({ current: '1', keys: { 1: randomBytes(32).toString('base64') } }) };

async function startOnce(scriptPath) {
  const t0 = performance.now();
  const mf = new Miniflare(convertV4MiniflareOptions({ modules: true, scriptPath, compatibilityDate, bindings, d1Databases: ['DB'] }));
  try {
    const res = await mf.dispatchFetch('http://127.0.0.1/service-info');
    if (!res.ok) throw new Error(`/service-info answered ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - t0;
  } finally {
    await mf.dispose();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = { empty: [], baseline: [], current: [] };
await startOnce(bundles.current); // warm the disk cache and workerd binary once, not counted
for (let i = 0; i < RUNS; i++) for (const side of i % 2 ? ['current', 'baseline', 'empty'] : ['empty', 'baseline', 'current']) times[side].push(await startOnce(bundles[side]));

const line = (o) => console.log(JSON.stringify(o));
for (const side of ['baseline', 'current']) {
  const bytes = readFileSync(bundles[side]);
  line({ figure: 'startup', variant: side === 'baseline' ? `baseline (${BASELINE})` : 'current', rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, medianMs: Number(median(times[side]).toFixed(1)), runs: RUNS });
}
const floor = median(times.empty);
line({ figure: 'startup', variant: 'empty worker (workerd itself)', medianMs: Number(floor.toFixed(1)), runs: RUNS });
line({ figure: 'startup.ratio', what: 'current / baseline, workerd start to first /service-info', ratio: Number((median(times.current) / median(times.baseline)).toFixed(2)) });
line({ figure: 'startup.ratio', what: 'current / baseline, the worker’s own share (minus the empty worker)', ratio: Number(((median(times.current) - floor) / (median(times.baseline) - floor)).toFixed(2)) });
