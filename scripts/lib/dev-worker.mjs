// Starts the worker under `wrangler dev` with a fresh local D1 and its own fresh secrets, for end-to-end tests and
// benchmarks. Nothing touches the developer's .dev.vars or .wrangler state.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const WRANGLER = 'node_modules/.bin/wrangler';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function migrate(config, persistTo, env) {
  const run = spawnSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--config', config, '--persist-to', persistTo], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`migrations failed: ${run.stderr}`);
}

/**
 * A fresh local D1 with every migration applied, in `persistTo`. Applying them costs a wrangler start (seconds), so
 * the first call migrates an empty database once into a template named for the exact migrations, config and wrangler
 * version, and every call copies it (a template in the OS temp dir, shared by test files, runs and benchmarks).
 */
function freshMigratedD1(config, persistTo, env) {
  const text = readFileSync(config, 'utf8');
  const dir = /^\s*migrations_dir\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (!dir) return migrate(config, persistTo, env);
  const migrations = join(dirname(config), dir);
  const hash = createHash('sha256').update(text).update(readFileSync('node_modules/wrangler/package.json'));
  for (const f of readdirSync(migrations).sort()) hash.update(f).update(readFileSync(join(migrations, f)));
  const template = join(tmpdir(), `latchkey-d1-template-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(template)) {
    const building = mkdtempSync(join(tmpdir(), 'latchkey-d1-building-'));
    migrate(config, building, env);
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another process made it first
    }
  }
  cpSync(template, persistTo, { recursive: true });
}

/**
 * @param {{ vars?: Record<string, string>, config?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ url: string, adminToken: string, admin: (method: string, path: string, body?: unknown) => Promise<any>, stop: () => Promise<void> }>}
 */
export async function startDevWorker({ vars = {}, config = 'wrangler.toml', log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-dev-'));
  const adminToken = `lk-admin-${randomBytes(18).toString('base64url')}`;
  const secrets = {
    VAULT_KEYS: JSON.stringify({ current: '1', keys: { 1: randomBytes(32).toString('base64') } }),
    ADMIN_TOKEN: adminToken,
    RUN_TOKEN_KEY: randomBytes(32).toString('base64url'),
  };
  writeFileSync(join(dir, 'env'), Object.entries(secrets).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };
  freshMigratedD1(config, join(dir, 'state'), env);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port), '--persist-to', join(dir, 'state'), '--env-file', join(dir, 'env'), '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn(WRANGLER, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/service-info`)).ok) break;
    } catch {}
    if (i > 240) {
      await stop();
      throw new Error(`wrangler dev did not answer on ${url} within 60 s`);
    }
    await sleep(250);
  }

  async function admin(method, path, body) {
    const res = await fetch(url + '/admin' + path, {
      method,
      // State changes carry a JSON body, empty when there is nothing to say (the worker answers 415 otherwise).
      headers: { authorization: `Bearer ${adminToken}`, ...(method !== 'GET' && method !== 'DELETE' ? { 'content-type': 'application/json' } : {}) },
      body: method !== 'GET' && method !== 'DELETE' ? JSON.stringify(body ?? {}) : undefined,
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} /admin${path}: ${res.status} ${json?.message}`);
    return json;
  }

  return { url, adminToken, admin, stop };
}

/** Starts the peers of test/peers/serve.ts in their own Node process. */
export async function startPeers() {
  const child = spawn(process.execPath, ['test/peers/serve.ts', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`peers exited with ${code}`)));
  });
  return { ...JSON.parse(line), stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}
