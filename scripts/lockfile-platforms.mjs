#!/usr/bin/env node
// `npm run lockfile:platforms`, after any `npm install` that changes package-lock.json.
//
// The npm registry these machines reach serves workerd's Linux binaries but not its macOS and Windows ones
// (@cloudflare/workerd-darwin-64 … answer 404), so npm leaves them out of package-lock.json, and `npm ci` then
// refuses the lock ("Missing: @cloudflare/workerd-darwin-64@ from lock file"). A lock made against the full
// registry lists them as optional, platform-bound entries that npm ci skips on Linux without fetching. This
// adds exactly those entries, with the os and cpu their packages declare, and changes nothing else.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS = {
  '@cloudflare/workerd-darwin-64': { os: ['darwin'], cpu: ['x64'] },
  '@cloudflare/workerd-darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  '@cloudflare/workerd-linux-64': { os: ['linux'], cpu: ['x64'] },
  '@cloudflare/workerd-linux-arm64': { os: ['linux'], cpu: ['arm64'] },
  '@cloudflare/workerd-windows-64': { os: ['win32'], cpu: ['x64'] },
};

const file = 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.endsWith('node_modules/workerd')) continue;
  const parent = path.slice(0, -'workerd'.length);
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `${parent}${name}`;
    if (lock.packages[at] || !PLATFORMS[name]) continue;
    lock.packages[at] = { version, cpu: PLATFORMS[name].cpu, license: 'Apache-2.0', optional: true, os: PLATFORMS[name].os, engines: { node: '>=16' } };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} platform entries for workerd`);
