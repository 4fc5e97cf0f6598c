/**
 * Slurm and other HPC schedulers: nothing is relayed to a cloud. A launch with `target: "hpc"` records the run and
 * issues one short-lived, single-use download of its secret store; the head script fetches it over HTTPS with that
 * token into a per-run 0700 directory on the shared filesystem (Nextflow's grid executors write each task's
 * `.nf-*.secrets` file beside the store, so tasks on other nodes can read them), runs Nextflow with NXF_SECRETS_FILE
 * pointing there, and removes the directory when Nextflow exits. A second download, a late one, or one with another
 * run's token is refused and audited.
 */
import { type Actor, auditStatement } from './audit';
import { ApiError } from './errors';
import { shellQuote } from './launch-kit';
import { nowIso } from './ids';
import { downloadTokenProblem } from './run-tokens';
import type { Keyring } from './vault';

/** Default and longest time between the launch and the head job's download (a job may wait in the queue). */
export const DEFAULT_DOWNLOAD_MINUTES = 60;
export const MAX_DOWNLOAD_MINUTES = 24 * 60;

const groovyQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The head script: download once, run the command it is given (`nextflow run …`), remove the store afterwards. */
export function hpcHeadScript(input: { runId: string; storeUrl: string; downloadToken: string; secretCount: number }): string {
  return `#!/usr/bin/env bash
# Latchkey run ${input.runId} (Slurm/HPC): fetch this run's secret store once, run Nextflow with it, then remove it.
#   bash latchkey-run.sh nextflow run <pipeline> -c latchkey.config …
# LATCHKEY_SECRETS_DIR must be on the shared filesystem (tasks read Nextflow's .nf-*.secrets files written beside the
# store); it defaults to ./.latchkey/${input.runId}. The download works once, before the time the launch answer gives.
set -euo pipefail
umask 077
dir="\${LATCHKEY_SECRETS_DIR:-$PWD/.latchkey/${input.runId}}"
mkdir -p "$dir"
chmod 700 "$dir"
export NXF_SECRETS_FILE="$dir/store.json"
cleanup() { rm -rf -- "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp="$(mktemp "$NXF_SECRETS_FILE.XXXXXX")"
# The token reaches curl through its configuration on standard input (printf is a shell builtin), never through a
# command line that ps could show.
if ! printf 'header = "Authorization: Bearer %s"\\n' ${shellQuote(input.downloadToken)} |
  curl --silent --show-error --fail-with-body --config - --request POST --header 'content-type: application/json' --data '{}' --output "$tmp" ${shellQuote(input.storeUrl)}; then
  echo "latchkey: the secret store could not be downloaded: $(head -c 600 "$tmp" 2>/dev/null)" >&2
  exit 1
fi
mv -f "$tmp" "$NXF_SECRETS_FILE"
echo "latchkey: ${input.secretCount} secret(s) in $NXF_SECRETS_FILE; they are removed when the command ends" >&2
"$@"
`;
}

/** nextflow.config for an HPC run: completion by weblog with the run token as basicToken (never in the URL). */
export function hpcConfig(input: { runId: string; weblogUrl: string; runToken: string }): string {
  return `// Latchkey run ${input.runId} (Slurm/HPC): report run events so the run is closed when it ends. Keep this file
// private: basicToken ends this run.
weblog {
  enabled = true
  url = ${groovyQuote(input.weblogUrl)}
  basicToken = ${groovyQuote(`run:${input.runToken}`)}
}
`;
}

interface HpcRunRow {
  id: string;
  workspace_id: string;
  target: string;
  state: string;
  completed_at: string | null;
  download_expires_at: string | null;
  downloaded_at: string | null;
}

/**
 * The one download of an HPC run's secret store: `[{name, value}]`, Nextflow's store format. 401 for a token that
 * is not this run's download token; 410 when it was already used, is late, or the run ended. Every refusal of a
 * token-bearing request for a real run is audited in the run's workspace; the download itself too.
 */
export async function downloadStore(db: D1Database, keyring: Keyring, tokenKey: string | undefined, runId: string, token: string | undefined, actor: Actor) {
  const run = await db
    .prepare('SELECT id, workspace_id, target, state, completed_at, download_expires_at, downloaded_at FROM runs WHERE id = ?')
    .bind(runId)
    .first<HpcRunRow>();
  const problem = await downloadTokenProblem(tokenKey, token, runId);
  const refuse = async (status: 401 | 410, reason: string, message: string) => {
    if (run) await auditStatement(db, actor, { workspaceId: run.workspace_id, action: 'run.download_refused', targetKind: 'run', targetId: runId, detail: { reason } }).run();
    throw new ApiError(status, message);
  };
  if (problem === 'missing') throw new ApiError(401, "Send the run's download token as Authorization: Bearer <token>, as the launch kit's head script does");
  if (problem === 'other-run') return refuse(401, 'token of another run', 'This download token belongs to another run');
  if (problem === 'expired') return refuse(410, 'late', 'The download window of this run has closed; launch a new run');
  if (problem === 'invalid' || !run || run.target !== 'hpc') return refuse(401, 'invalid token', 'The download token is not valid for this server');
  const now = nowIso();
  const claimed = await db
    .prepare('UPDATE runs SET downloaded_at = ? WHERE id = ? AND downloaded_at IS NULL AND completed_at IS NULL AND download_expires_at > ?')
    .bind(now, runId, now)
    .run();
  if (claimed.meta.changes === 0) {
    if (run.downloaded_at) return refuse(410, 'second download', `The secret store of run '${runId}' was already downloaded at ${run.downloaded_at}; a run's store is handed out once`);
    if (run.completed_at) return refuse(410, 'run ended', `Run '${runId}' has ended; its secret store is no longer handed out`);
    return refuse(410, 'late', 'The download window of this run has closed; launch a new run');
  }
  const { results } = await db
    .prepare(
      `SELECT s.name, p.id, p.workspace_id, p.value_ct, p.value_iv, p.key_version, p.version FROM run_secrets s
       LEFT JOIN pipeline_secrets p ON p.id = s.pipeline_secret_id WHERE s.run_id = ? ORDER BY s.name`,
    )
    .bind(runId)
    .all<{ name: string; id: string | null; workspace_id: string; value_ct: string; value_iv: string; key_version: string; version: number }>();
  const store: Array<{ name: string; value: string }> = [];
  const statements: D1PreparedStatement[] = [];
  for (const r of results) {
    if (!r.id) {
      statements.push(db.prepare("UPDATE run_secrets SET state = 'not_created', last_error = 'the pipeline secret was deleted before the download', updated_at = ? WHERE run_id = ? AND name = ?").bind(now, runId, r.name));
      continue;
    }
    const value = await keyring.open({ kind: 'pipeline-secret', workspaceId: r.workspace_id, recordId: r.id }, { ct: r.value_ct, iv: r.value_iv, keyVersion: r.key_version });
    store.push({ name: r.name, value });
    statements.push(
      db.prepare("UPDATE run_secrets SET state = 'created', secret_version = ?, delivered_at = ?, updated_at = ? WHERE run_id = ? AND name = ?").bind(r.version, now, now, runId, r.name),
    );
  }
  await db.batch([
    ...statements,
    auditStatement(db, actor, { workspaceId: run.workspace_id, action: 'run.download', targetKind: 'run', targetId: runId, detail: { secrets: store.map((s) => s.name) } }),
  ]);
  return store;
}
