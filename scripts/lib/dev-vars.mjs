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

/** Creates .dev.vars with fresh random keys when it does not exist. Returns true when it created it. */
export function ensureDevVars(file = DEV_VARS) {
  if (existsSync(file)) return false;
  const vaultKeys = JSON.stringify({ current: '1', keys: { 1: randomBytes(32).toString('base64') } });
  const adminToken = `lk-admin-${randomBytes(24).toString('base64url')}`;
  writeFileSync(
    file,
    [
      '# Created by `npm start` with fresh random values. Never commit this file.',
      `VAULT_KEYS=${vaultKeys}`,
      `ADMIN_TOKEN=${adminToken}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return true;
}
