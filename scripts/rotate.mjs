#!/usr/bin/env node
// `npm run vault:rotate`: re-seals every row under the current VAULT_KEYS version, page by page.
// LATCHKEY_URL (default http://127.0.0.1:8787) and ADMIN_TOKEN (default: from .dev.vars) say where and as whom.
import { readDevVars } from './lib/dev-vars.mjs';

const base = process.env.LATCHKEY_URL ?? 'http://127.0.0.1:8787';
const token = process.env.ADMIN_TOKEN ?? readDevVars().ADMIN_TOKEN;
if (!token) {
  console.error('Set ADMIN_TOKEN (or run from a checkout with .dev.vars).');
  process.exit(1);
}
let total = 0;
const failed = [];
for (;;) {
  const res = await fetch(`${base}/admin/vault/rotate?limit=500`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  const report = await res.json();
  if (!res.ok) {
    console.error(`Rotation refused (${res.status}): ${report.message}`);
    process.exit(1);
  }
  total += report.resealed;
  failed.push(...report.failed);
  console.log(`key ${report.currentKeyVersion}: resealed ${report.resealed}, remaining ${report.remaining}`);
  if (report.remaining === 0 || report.resealed === 0) break;
}
console.log(`Done: ${total} rows re-sealed.`);
for (const f of failed) console.error(`  could not re-seal ${f.kind} ${f.id} in workspace ${f.workspaceId}: ${f.message}`);
process.exit(failed.length ? 2 : 0);
