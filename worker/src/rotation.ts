/**
 * Key rotation: re-seals rows sealed under an older key version with the current one, a page at a time,
 * while the worker keeps serving (reads use each row's own key version until it is re-sealed).
 * A row changed concurrently is left alone: its write already used the current key.
 */
import { type Actor, auditStatement } from './audit';
import type { Keyring, SealedKind } from './vault';

interface Table {
  kind: SealedKind;
  table: 'credentials' | 'pipeline_secrets' | 'runs';
  ct: 'secret_ct' | 'value_ct' | 'cleanup_ct';
  iv: 'secret_iv' | 'value_iv' | 'cleanup_iv';
}

/** Runs keep sealed AWS keys until they are cleaned (key_version is NULL afterwards, so they drop out of these queries). */
const TABLES: Table[] = [
  { kind: 'credentials', table: 'credentials', ct: 'secret_ct', iv: 'secret_iv' },
  { kind: 'pipeline-secret', table: 'pipeline_secrets', ct: 'value_ct', iv: 'value_iv' },
  { kind: 'run', table: 'runs', ct: 'cleanup_ct', iv: 'cleanup_iv' },
];

export interface RotationReport {
  currentKeyVersion: string;
  resealed: number;
  alreadyCurrent: number;
  remaining: number;
  failed: Array<{ kind: string; id: string; workspaceId: string; message: string }>;
}

interface Row {
  id: string;
  workspace_id: string;
  ct: string;
  iv: string;
  key_version: string;
}

/** Re-seals up to `maxRows` rows; call again while `remaining` is above zero. */
export async function rotateVault(db: D1Database, keyring: Keyring, actor: Actor, maxRows = 500): Promise<RotationReport> {
  const current = keyring.currentVersion;
  const report: RotationReport = { currentKeyVersion: current, resealed: 0, alreadyCurrent: 0, remaining: 0, failed: [] };
  let budget = maxRows;
  for (const t of TABLES) {
    let after = '';
    while (budget > 0) {
      const { results } = await db
        .prepare(
          `SELECT id, workspace_id, ${t.ct} AS ct, ${t.iv} AS iv, key_version FROM ${t.table} WHERE key_version != ? AND id > ? ORDER BY id LIMIT ?`,
        )
        .bind(current, after, Math.min(budget, 100))
        .all<Row>();
      if (results.length === 0) break;
      after = results[results.length - 1]!.id;
      budget -= results.length;
      const updates: D1PreparedStatement[] = [];
      for (const row of results) {
        const ctx = { kind: t.kind, workspaceId: row.workspace_id, recordId: row.id };
        try {
          const sealed = await keyring.seal(ctx, await keyring.open(ctx, { ct: row.ct, iv: row.iv, keyVersion: row.key_version }));
          updates.push(
            db
              .prepare(`UPDATE ${t.table} SET ${t.ct} = ?, ${t.iv} = ?, key_version = ? WHERE id = ? AND key_version = ? AND ${t.iv} = ?`)
              .bind(sealed.ct, sealed.iv, sealed.keyVersion, row.id, row.key_version, row.iv),
          );
        } catch (err) {
          report.failed.push({ kind: t.kind, id: row.id, workspaceId: row.workspace_id, message: (err as Error).message });
        }
      }
      if (updates.length > 0) {
        const outcomes = await db.batch(updates);
        report.resealed += outcomes.reduce((n, o) => n + (o.meta.changes ?? 0), 0);
      }
    }
  }
  const counts = await db.batch<{ n: number }>(
    TABLES.flatMap((t) => [
      db.prepare(`SELECT COUNT(*) AS n FROM ${t.table} WHERE key_version = ?`).bind(current),
      db.prepare(`SELECT COUNT(*) AS n FROM ${t.table} WHERE key_version != ?`).bind(current),
    ]),
  );
  const sum = (parity: 0 | 1) => counts.reduce((n, c, i) => n + (i % 2 === parity ? (c.results[0]?.n ?? 0) : 0), 0);
  report.alreadyCurrent = sum(0) - report.resealed;
  report.remaining = sum(1) - report.failed.length;
  if (report.resealed > 0 || report.failed.length > 0)
    await auditStatement(db, actor, { workspaceId: null, action: 'vault.rotate', targetKind: 'vault', targetId: current, targetName: `${report.resealed} resealed, ${report.failed.length} failed` }).run();
  return report;
}
