#!/usr/bin/env node
// Extension figures: popup and content-script sizes (gzip) from the Chrome build, and the popup's time to a rendered
// list of 200 credentials in headless Chromium against the worker under wrangler dev.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startDevWorker } from '../scripts/lib/dev-worker.mjs';

const OUT = resolve('extension/.output/chrome-mv3');
execFileSync('node_modules/.bin/wxt', ['build', 'extension'], { stdio: ['ignore', 'ignore', 'inherit'] });
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

// The popup loads popup.html's scripts: its own chunk and the chunks it imports.
const html = readFileSync(join(OUT, 'popup.html'), 'utf8');
const popupFiles = [...html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const popupBytes = popupFiles.reduce((n, f) => n + gz(join(OUT, f)), 0);
console.log(JSON.stringify({ figure: 'extension.popup.gzipBytes', bytes: popupBytes, files: popupFiles }));
for (const f of readdirSync(join(OUT, 'content-scripts')).filter((f) => f.endsWith('.js')))
  console.log(JSON.stringify({ figure: 'extension.content-script.gzipBytes', script: f, bytes: gz(join(OUT, 'content-scripts', f)) }));

const { chromium } = await import('playwright-core');
const worker = await startDevWorker();
const context = await chromium.launchPersistentContext('', {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: false,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--disable-extensions-except=${OUT}`, `--load-extension=${OUT}`],
  viewport: { width: 380, height: 600 },
});
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
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(sw.url()).host;
  const setup = await context.newPage();
  await setup.goto(`chrome-extension://${id}/options.html`);
  // Connect as a user does (the token is kept in the extension origin's IndexedDB, not storage.local).
  await setup.getByLabel('Worker URL').fill(worker.url);
  await setup.getByLabel('Access token').fill(accessKey);
  await setup.getByRole('button', { name: 'Test connection and save' }).click();
  await setup.getByText(/^Connected as /).waitFor({ timeout: 15_000 });
  await setup.close();
  const times = [];
  for (let r = 0; r < 6; r++) {
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`chrome-extension://${id}/popup.html`);
    await page.waitForFunction(() => document.querySelectorAll('li[data-credentials]').length === 200, null, { timeout: 30_000 });
    if (r > 0) times.push(performance.now() - t0); // the first opening warms the isolate and caches
    await page.close();
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ figure: 'extension.popup.timeToList200Ms', medianMs: Math.round(times[Math.floor(times.length / 2)]), minMs: Math.round(times[0]), runs: times.length }));
} finally {
  await context.close();
  await worker.stop();
}
