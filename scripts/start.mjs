#!/usr/bin/env node
// `npm start`: the whole local Latchkey in one command.
// Creates .dev.vars with fresh keys when missing, applies D1 migrations locally, starts `wrangler dev`,
// seeds a first user with a personal and an organization workspace, and prints an access token and the URL.
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevVars, readDevVars } from './lib/dev-vars.mjs';

const PORT = Number(process.env.PORT ?? 8787);
const URL_BASE = `http://127.0.0.1:${PORT}`;
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const wrangler = ['node_modules/.bin/wrangler'];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`Latchkey needs Node.js 22.12 or newer (see .nvmrc); this is ${process.version}.`);
  process.exit(1);
}

const step = (text) => console.log(`\n▸ ${text}`);

const written = ensureDevVars();
if (written.length) step(`Wrote fresh ${written.join(', ')} to .dev.vars`);
const { ADMIN_TOKEN } = readDevVars();
if (!ADMIN_TOKEN) {
  console.error('.dev.vars has no ADMIN_TOKEN; add one (see .dev.vars.example) or delete .dev.vars to have it made.');
  process.exit(1);
}

step('Building the browser extension (Chrome and Firefox)');
for (const target of [[], ['-b', 'firefox', '--mv3']]) {
  const build = spawnSync('node_modules/.bin/wxt', ['build', 'extension', ...target], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

step('Applying D1 migrations to the local database');
const migrate = spawnSync(wrangler[0], ['d1', 'migrations', 'apply', 'DB', '--local'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...env, CI: 'true' } });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

step(`Starting the worker on ${URL_BASE}`);
// AWS_ENDPOINT_URL=http://127.0.0.1:4566 npm start  sends AWS calls to the stand-in (npm run peer:aws).
const devArgs = ['dev', '--ip', '127.0.0.1', '--port', String(PORT)];
if (process.env.AWS_ENDPOINT_URL) devArgs.push('--var', `AWS_ENDPOINT_URL:${process.env.AWS_ENDPOINT_URL}`);
const dev = spawn(wrangler[0], devArgs, { stdio: ['inherit', 'inherit', 'inherit'], env });
const stop = () => dev.kill('SIGINT');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));

async function api(method, path, body) {
  const res = await fetch(URL_BASE + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.message ?? ''}`);
  return json;
}

async function waitForWorker() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${URL_BASE}/service-info`)).ok) return;
    } catch {}
    await sleep(250);
  }
  throw new Error(`the worker did not answer on ${URL_BASE} within 60 s`);
}

async function seed() {
  const { users } = await api('GET', '/admin/users');
  let user = users.find((u) => u.userName === 'dev');
  let orgWorkspaceId;
  if (!user) {
    ({ user } = await api('POST', '/admin/users', { userName: 'dev', email: 'dev@latchkey.localhost', firstName: 'Dev' }));
    const { orgId } = await api('POST', '/admin/organizations', { name: 'acme', fullName: 'Acme Genomics' });
    ({ workspaceId: orgWorkspaceId } = await api('POST', `/admin/organizations/${orgId}/workspaces`, { name: 'pipelines', fullName: 'Production pipelines' }));
    await api('PUT', `/admin/workspaces/${orgWorkspaceId}/members/${user.id}`, { role: 'owner' });
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  const { accessKey } = await api('POST', `/admin/users/${user.id}/tokens`, { name: `quickstart-${stamp}` });
  const { workspaces } = await (await fetch(`${URL_BASE}/workspaces`, { headers: { authorization: `Bearer ${accessKey}` } })).json();
  return { user, accessKey, workspaces };
}

try {
  await waitForWorker();
  const { user, accessKey, workspaces } = await seed();
  const line = '─'.repeat(78);
  console.log(`\n${line}
 Latchkey is running at ${URL_BASE}   (API description: ${URL_BASE}/openapi.json)

 User '${user.userName}' — access token (shown once; a new one is made at each start):
   ${accessKey}

 Workspaces:
${workspaces.map((w) => `   ${w.id.padEnd(17)} ${w.kind === 'personal' ? 'personal        ' : `${w.orgName}/${w.name}`.padEnd(16)}  role ${w.role}`).join('\n')}

 Browser extension (built): load it unpacked from
   Chrome:  chrome://extensions → Developer mode → Load unpacked → ${process.cwd()}/extension/.output/chrome-mv3
   Firefox: about:debugging → This Firefox → Load Temporary Add-on → extension/.output/firefox-mv3/manifest.json
   then open its options, enter ${URL_BASE} and the token above.

 Try:
   export LATCHKEY_TOKEN=${accessKey}
   curl -s ${URL_BASE}/credentials -H "Authorization: Bearer $LATCHKEY_TOKEN"
 Ctrl-C stops the worker; data stays in .wrangler/state.
${line}\n`);
} catch (err) {
  console.error(`\nCould not seed the first user: ${err.message}`);
  stop();
}
