// Reads and creates .dev.vars, the local stand-in for `wrangler secret put`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const DEV_VARS = '.dev.vars';

export function readDevVars(file = DEV_VARS) {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** Fresh values for every secret the worker needs. */
const GENERATED = {
  VAULT_KEYS: () => JSON.stringify({ current: '1', keys: { 1: randomBytes(32).toString('base64') } }),
  ADMIN_TOKEN: () => `lk-admin-${randomBytes(24).toString('base64url')}`,
  RUN_TOKEN_KEY: () => randomBytes(32).toString('base64url'),
};

/**
 * Creates .dev.vars with fresh random values when it does not exist, and adds any secret a newer version needs to
 * an existing one. Returns the names it wrote.
 */
export function ensureDevVars(file = DEV_VARS) {
  const existing = readDevVars(file);
  const missing = Object.keys(GENERATED).filter((name) => !existing[name]);
  if (missing.length === 0) return [];
  const header = existsSync(file) ? readFileSync(file, 'utf8').replace(/\n*$/, '\n') : '# Created by `npm start` with fresh random values. Never commit this file.\n';
  writeFileSync(file, header + missing.map((name) => `${name}=${GENERATED[name]()}`).join('\n') + '\n', { mode: 0o600 });
  return missing;
}
