#!/usr/bin/env node
// Extension figures, before and after the issue-12 work side by side in one run: popup and content-script sizes
// (gzip) from the Chrome builds, and the popup's time to a rendered list of 200 credentials in headless Chromium
// against the worker under wrangler dev: warm (the popup shows the list this browser session last received, then
// the fresh one) and cold (that cache emptied before each opening; the session's workspace list stays, as before).
// "Before" is commit BENCH_EXT_BEFORE (b599b90), built from `git archive` beside this checkout; it is skipped (with
// a note) when that commit is not in the clone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';
import { startDevWorker } from '../scripts/lib/dev-worker.mjs';

const BUILD = resolve('bench/.build/extension');
const BEFORE = process.env.BENCH_EXT_BEFORE ?? 'b599b90';
const RUNS = Number(process.env.BENCH_POPUP_RUNS ?? 15);
const line = (o) => console.log(JSON.stringify(o));
const env = { ...process.env, WXT_TELEMETRY: 'false', LATCHKEY_EXT_SOURCEMAPS: '1' };

/** Builds the extension whose wxt root is `root` into `out` (hidden source maps: the shipped bytes are unchanged). */
function build(root, out) {
  rmSync(out, { recursive: true, force: true });
  execFileSync('node_modules/.bin/wxt', ['build', root], { env: { ...env, LATCHKEY_EXT_OUT: out }, stdio: ['ignore', 'ignore', 'inherit'] });
  return join(out, 'chrome-mv3');
}

const sides = [{ name: 'after', dir: build('extension', join(BUILD, 'after')) }];
try {
  const src = join(BUILD, 'before-src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  // Inside this checkout, so the copy resolves the same node_modules.
  execFileSync('sh', ['-c', `git archive ${BEFORE} extension shared worker/src package.json | tar -x -C "${src}"`], { stdio: ['ignore', 'ignore', 'pipe'] });
  sides.unshift({ name: 'before', dir: build(join(src, 'extension'), join(BUILD, 'before')) });
} catch (err) {
  line({ note: `no "before" build: commit ${BEFORE} is not available here (${String(err.message).split('\n')[0]})` });
}

const gz = (text) => gzipSync(text, { level: 9 }).length;

/** The file's text without the bytes its source map attributes to zod: what it would weigh without zod. */
function withoutZod(file) {
  const code = readFileSync(file, 'utf8');
  if (!existsSync(`${file}.map`)) return code;
  const lines = code.split('\n');
  const segs = [];
  eachMapping(new TraceMap(readFileSync(`${file}.map`, 'utf8')), (m) => segs.push(m));
  const drop = lines.map(() => []);
  segs.forEach((m, i) => {
    if (!/node_modules\/zod\//.test(m.source ?? '')) return;
    const n = segs[i + 1];
    drop[m.generatedLine - 1].push([m.generatedColumn, n && n.generatedLine === m.generatedLine ? n.generatedColumn : lines[m.generatedLine - 1].length]);
  });
  return lines
    .map((l, i) => {
      let out = '';
      let at = 0;
      for (const [a, b] of drop[i]) (out += l.slice(at, a)), (at = b);
      return out + l.slice(at);
    })
    .join('\n');
}

/** popup.html's scripts and styles (files, and styles written into the page), and every chunk they load later
 *  (dynamic imports: the forms). */
function popupFiles(dir) {
  const html = readFileSync(join(dir, 'popup.html'), 'utf8');
  const atOpen = [...html.matchAll(/\s(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const inline = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  const chunks = readdirSync(join(dir, 'chunks')).filter((f) => f.endsWith('.js'));
  const all = new Set(atOpen);
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of [...all].filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(dir, f), 'utf8');
      for (const c of chunks) if (!all.has(`chunks/${c}`) && code.includes(c)) (all.add(`chunks/${c}`), (grew = true));
    }
  }
  return { atOpen, all: [...all], inline };
}

const weigh = (dir, files, drop) => files.reduce((n, f) => n + gz(drop && f.endsWith('.js') ? withoutZod(join(dir, f)) : readFileSync(join(dir, f))), 0);
const sizes = {};
for (const { name, dir } of sides) {
  const { atOpen, all, inline } = popupFiles(dir);
  const styles = inline.reduce((n, css) => n + gz(css), 0);
  sizes[name] = { atOpen: weigh(dir, atOpen) + styles, total: weigh(dir, all) + styles, totalWithoutZod: weigh(dir, all, true) + styles };
  line({ figure: 'extension.popup.gzipBytes', variant: name, atOpen: sizes[name].atOpen, total: sizes[name].total, totalWithoutZod: sizes[name].totalWithoutZod, later: all.filter((f) => !atOpen.includes(f)).map((f) => basename(f)) });
  for (const f of readdirSync(join(dir, 'content-scripts')).filter((f) => f.endsWith('.js')))
    line({ figure: 'extension.content-script.gzipBytes', variant: name, script: f, bytes: gz(readFileSync(join(dir, 'content-scripts', f))) });
}

// Popup to a rendered list of 200 credentials: one browser per side, openings alternated between the two.
const { chromium } = await import('playwright-core');
const worker = await startDevWorker();
const browsers = [];
try {
  const { user } = await worker.admin('POST', '/users', { userName: 'bench', email: 'bench@latchkey.localhost' });
  const { accessKey } = await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'bench' });
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${worker.url}/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credentials: { name: `creds-${String(i).padStart(3, '0')}`, ...(i % 2 ? { provider: 'github', keys: { username: 'u', password: 'p' } } : { provider: 'gitlab', keys: { username: 'u', token: 't' } }) } }),
    });
    if (!res.ok) throw new Error(`seed ${i}: ${res.status}`);
  }
  for (const side of sides) {
    const context = await chromium.launchPersistentContext('', {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: false,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--disable-extensions-except=${side.dir}`, `--load-extension=${side.dir}`],
      viewport: { width: 380, height: 600 },
    });
    browsers.push(context);
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    side.id = new URL(sw.url()).host;
    side.sw = sw;
    side.context = context;
    side.times = { warm: [], cold: [] };
    side.inPage = { warm: [], cold: [] };
    const setup = await context.newPage();
    await setup.goto(`chrome-extension://${side.id}/options.html`);
    // Connect as a user does (the token is kept in the extension origin's IndexedDB, not storage.local).
    await setup.getByLabel('Worker URL').fill(worker.url);
    await setup.getByLabel('Access token').fill(accessKey);
    await setup.getByRole('button', { name: 'Test connection and save' }).click();
    await setup.getByText(/^Connected as /).waitFor({ timeout: 15_000 });
    await setup.close();
  }
  // The list is rendered when its tab counts 200 and its rows are in the page (the same commit in both versions).
  // The predicate answers the page's own clock (ms since navigation start) at that moment.
  const rendered = () => document.querySelector('#tab-credentials .count')?.textContent === '200' && document.querySelector('li[data-credentials]') !== null && performance.now();
  for (let r = 0; r <= RUNS; r++) {
    for (const side of r % 2 ? [...sides].reverse() : sides) {
      for (const cache of r % 2 ? ['cold', 'warm'] : ['warm', 'cold']) {
        // Cold: without the lists this session last received (the "before" build has none; removing is harmless).
        if (cache === 'cold') await side.sw.evaluate(() => chrome.storage.session.remove('lists'));
        const page = await side.context.newPage();
        const t0 = performance.now();
        await page.goto(`chrome-extension://${side.id}/popup.html`);
        const inPage = await (await page.waitForFunction(rendered, null, { timeout: 30_000, polling: 'raf' })).jsonValue();
        if (r > 0) (side.times[cache].push(performance.now() - t0), side.inPage[cache].push(inPage)); // the first round warms the isolate and caches
        await page.waitForTimeout(300); // let the popup's after-paint work (badge refresh) settle before the next opening
        await page.close();
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const cache of ['warm', 'cold'])
    for (const side of sides)
      line({
        figure: cache === 'warm' ? 'extension.popup.timeToList200Ms' : 'extension.popup.timeToList200Ms.cold',
        variant: side.name,
        cache,
        medianMs: Math.round(median(side.times[cache])),
        minMs: Math.round(Math.min(...side.times[cache])),
        // The same moment on the popup's own clock, from its navigation start (without the driver's page.goto overhead).
        inPageMedianMs: Math.round(median(side.inPage[cache])),
        runs: side.times[cache].length,
      });
  if (sides.length === 2) {
    const [b, a] = sides;
    line({
      figure: 'extension.ratio',
      what: 'after / before',
      popupTimeToList200: Number((median(a.times.warm) / median(b.times.warm)).toFixed(2)),
      popupTimeToList200Cold: Number((median(a.times.cold) / median(b.times.cold)).toFixed(2)),
      popupGzipAtOpen: Number((sizes.after.atOpen / sizes.before.atOpen).toFixed(2)),
      popupGzipTotal: Number((sizes.after.total / sizes.before.total).toFixed(2)),
    });
  }
} finally {
  for (const b of browsers) await b.close();
  await worker.stop();
}
