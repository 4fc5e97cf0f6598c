#!/usr/bin/env node
// Vault keyring tool.
//   node scripts/keys.mjs            prints a fresh keyring JSON (one key, version 1)
//   node scripts/keys.mjs --rotate   adds a new key version to .dev.vars' VAULT_KEYS and makes it current;
//                                    then restart `wrangler dev` and run `npm run vault:rotate`
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export const newKey = () => randomBytes(32).toString('base64');
export const freshKeyring = () => JSON.stringify({ current: '1', keys: { 1: newKey() } });

export function addKeyVersion(keyringJson) {
  const ring = JSON.parse(keyringJson);
  const next = String(Math.max(0, ...Object.keys(ring.keys).map(Number).filter(Number.isFinite)) + 1);
  ring.keys[next] = newKey();
  ring.current = next;
  return JSON.stringify(ring);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--rotate') {
    const file = '.dev.vars';
    const text = readFileSync(file, 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('VAULT_KEYS='));
    if (!line) throw new Error('.dev.vars has no VAULT_KEYS line');
    const next = addKeyVersion(line.slice('VAULT_KEYS='.length));
    writeFileSync(file, text.replace(line, `VAULT_KEYS=${next}`));
    console.log(`VAULT_KEYS now has key version ${JSON.parse(next).current} as current. Restart the worker, then: npm run vault:rotate`);
  } else {
    console.log(freshKeyring());
  }
}
