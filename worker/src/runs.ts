/**
 * Runs: a pipeline run's secrets exist in AWS Secrets Manager for as long as the run lives, and never longer.
 *
 * launchRun writes the run and its secrets as `pending` before any AWS call, creates the secrets (at most 6 at a
 * time, Workers' open-connection limit), and rolls back what it created if any create fails. completeRun deletes
 * them on the run's completion; sweepRuns deletes what outlived its time-to-live or whose deletion failed.
 */
import type { Run } from '../../shared/api';
import { type Actor, auditStatement } from './audit';
import { loadCredentialsWithSecrets } from './credentials';
import type { WorkspaceAccess } from './directory';
import type { Env } from './env';
import { ApiError, invalidField, notFound } from './errors';
import { newId, nowIso } from './ids';
import { signRunToken } from './run-tokens';
import { resolveRunSecrets } from './secrets';
import { type AwsKeys, AwsError, type AwsTarget, assumeRole, mapLimit, SubrequestBudget, secretsManager } from './secrets-manager';
import type { Keyring } from './vault';

/** Workers allow 6 simultaneous open connections per request. */
export const AWS_CONCURRENCY = 6;
const DEFAULT_PREFIX = 'latchkey/';
/** A launch that has not finished after this long died half-way; the sweeper cleans it up. */
const STALE_LAUNCH_MS = 15 * 60_000;

interface RunRow {
  id: string;
  workspace_id: string;
  launched_by: string | null;
  credentials_id: string;
  region: string;
  secrets_prefix: string;
  run_name: string | null;
  state: Run['state'];
  nextflow_run_name: string | null;
  nextflow_session_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  expires_at: string;
  cleaned_at: string | null;
  last_error: string | null;
}

interface RunSecretRow {
  run_id: string;
  name: string;
  source: 'user' | 'workspace';
  aws_name: string;
  arn: string | null;
  state: Run['secrets'][number]['state'];
  last_error: string | null;
  updated_at: string;
}

export interface RelaySettings {
  ceiling: number;
  ttlHours: number;
  target: Omit<AwsTarget, 'region'>;
  tokenKey: string | undefined;
}

export function relaySettings(env: Env): RelaySettings {
  const num = (v: string | undefined, fallback: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback);
  return {
    ceiling: num(env.MAX_SUBREQUESTS, 1000),
    ttlHours: num(env.RUN_SECRETS_TTL_HOURS, 72),
    target: { endpoint: env.AWS_ENDPOINT_URL || undefined, retryBaseMs: num(env.AWS_RETRY_BASE_MS, 200) },
    tokenKey: env.RUN_TOKEN_KEY,
  };
}

function runView(row: RunRow, secrets: RunSecretRow[]): Run {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    runName: row.run_name,
    state: row.state,
    region: row.region,
    credentialsId: row.credentials_id,
    launchedBy: row.launched_by,
    nextflowRunName: row.nextflow_run_name,
    dateCreated: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    expiresAt: row.expires_at,
    cleanedAt: row.cleaned_at,
    lastError: row.last_error,
    secrets: secrets.map((s) => ({ name: s.name, source: s.source, awsName: s.aws_name, arn: s.arn, state: s.state, lastError: s.last_error, updatedAt: s.updated_at })),
  };
}

async function loadRun(db: D1Database, runId: string, workspaceId?: string): Promise<{ row: RunRow; secrets: RunSecretRow[] }> {
  const [runs, secrets] = await db.batch<RunRow | RunSecretRow>([
    workspaceId
      ? db.prepare('SELECT * FROM runs WHERE id = ? AND workspace_id = ?').bind(runId, workspaceId)
      : db.prepare('SELECT * FROM runs WHERE id = ?').bind(runId),
    db.prepare('SELECT * FROM run_secrets WHERE run_id = ? ORDER BY name').bind(runId),
  ]);
  const row = runs?.results[0] as RunRow | undefined;
  if (!row) throw notFound(`Run '${runId}'${workspaceId ? ' in this workspace' : ''}`);
  return { row, secrets: (secrets?.results ?? []) as RunSecretRow[] };
}

export async function getRun(db: D1Database, workspaceId: string, runId: string): Promise<Run> {
  const { row, secrets } = await loadRun(db, runId, workspaceId);
  return runView(row, secrets);
}

export async function listRuns(db: D1Database, workspaceId: string, limit = 100): Promise<Run[]> {
  const [runs, secrets] = await db.batch<RunRow | RunSecretRow>([
    db.prepare('SELECT * FROM runs WHERE workspace_id = ? ORDER BY created_at DESC, id LIMIT ?').bind(workspaceId, limit),
    db
      .prepare('SELECT s.* FROM run_secrets s WHERE s.run_id IN (SELECT id FROM runs WHERE workspace_id = ? ORDER BY created_at DESC, id LIMIT ?) ORDER BY s.name')
      .bind(workspaceId, limit),
  ]);
  const byRun = new Map<string, RunSecretRow[]>();
  for (const s of (secrets?.results ?? []) as RunSecretRow[]) byRun.set(s.run_id, [...(byRun.get(s.run_id) ?? []), s]);
  return ((runs?.results ?? []) as RunRow[]).map((r) => runView(r, byRun.get(r.id) ?? []));
}

type AwsCredentials = Awaited<ReturnType<typeof loadCredentialsWithSecrets>>;

/** The run's aws credentials in this workspace, opened; a 400 naming credentialsId when they are not aws ones. */
async function loadAwsCredentials(db: D1Database, keyring: Keyring, workspaceId: string, credentialsId: string): Promise<AwsCredentials> {
  const loaded = await loadCredentialsWithSecrets(db, keyring, workspaceId, credentialsId).catch((err) => {
    if (err instanceof ApiError && err.status === 404) throw invalidField('credentialsId', `names no credentials in this workspace ('${credentialsId}')`);
    throw err;
  });
  if (loaded.credentials.provider !== 'aws')
    throw invalidField('credentialsId', `names '${loaded.credentials.name}', which are ${loaded.credentials.provider} credentials; a launch needs aws credentials`);
  return loaded;
}

const roleOf = (c: AwsCredentials) => (typeof c.credentials.keys.assumeRoleArn === 'string' && c.credentials.keys.assumeRoleArn !== '' ? c.credentials.keys.assumeRoleArn : null);

/** The AWS keys to act with: the credentials' keys, or the role they assume. */
async function awsKeysFrom(loaded: AwsCredentials, region: string, settings: RelaySettings, budget: SubrequestBudget): Promise<AwsKeys> {
  const keys: AwsKeys = { accessKeyId: String(loaded.credentials.keys.accessKey), secretAccessKey: loaded.secrets.secretKey! };
  const roleArn = roleOf(loaded);
  return roleArn ? assumeRole(keys, roleArn, `latchkey-${loaded.credentials.id}`.slice(0, 64), { ...settings.target, region }, budget) : keys;
}

async function clientRequestToken(runId: string, name: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${runId}\u0000${name}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const describe = (err: unknown) => (err instanceof AwsError ? err.describe() : err instanceof Error ? err.message : String(err));
/** An outcome we cannot be sure of: the secret may exist, so it must be deleted to be safe. */
const mayExist = (err: unknown) => !(err instanceof AwsError) || err.retryable || err.type === 'NetworkError';

export interface LaunchInput {
  credentialsId: string;
  region: string;
  secrets?: string[];
  secretsPrefix?: string;
  ttlHours?: number;
  runName?: string;
}

export async function launchRun(
  db: D1Database,
  keyring: Keyring,
  settings: RelaySettings,
  caller: { userId: string; personalWorkspaceId: string; actor: Actor },
  ws: WorkspaceAccess,
  input: LaunchInput,
  origin: string,
) {
  const credentials = await loadAwsCredentials(db, keyring, ws.id, input.credentialsId);
  const secrets = await resolveRunSecrets(db, keyring, { workspaceId: ws.id, personalWorkspaceId: caller.personalWorkspaceId }, input.secrets);
  if (secrets.length === 0)
    throw invalidField('secrets', 'selects no pipeline secrets: create workspace or user secrets first, or name existing ones');
  const hasRole = roleOf(credentials) !== null;
  const planned = secrets.length + (hasRole ? 1 : 0);
  const reservedForRollback = secrets.length;
  if (planned + reservedForRollback > settings.ceiling)
    throw invalidField(
      'secrets',
      `selects ${secrets.length} secrets; launching them needs up to ${planned + reservedForRollback} AWS calls (${planned} to create${hasRole ? ' and assume the role' : ''}, ${reservedForRollback} to roll back if one fails) but this worker may make ${settings.ceiling} per request (MAX_SUBREQUESTS). Name fewer secrets, or raise MAX_SUBREQUESTS if your Workers plan allows more`,
    );

  const prefix = input.secretsPrefix ?? DEFAULT_PREFIX;
  const runId = newId();
  const now = new Date();
  const created = nowIso();
  const ttlHours = input.ttlHours ?? settings.ttlHours;
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  const expiresIso = expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const awsNameOf = (name: string) => `${prefix}${runId}/${name}`;
  if (secrets.some((s) => awsNameOf(s.name).length > 512))
    throw invalidField('secretsPrefix', 'makes an AWS secret name longer than 512 characters; shorten it');

  // Record everything first: if this request dies half-way, the sweeper still knows what may exist in AWS.
  await db.batch([
    db
      .prepare(
        `INSERT INTO runs (id, workspace_id, launched_by, credentials_id, region, secrets_prefix, run_name, state, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'launching', ?, ?)`,
      )
      .bind(runId, ws.id, caller.userId, input.credentialsId, input.region, prefix, input.runName ?? null, created, expiresIso),
    ...secrets.map((s) =>
      db
        .prepare("INSERT INTO run_secrets (run_id, name, source, pipeline_secret_id, aws_name, state, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)")
        .bind(runId, s.name, s.source, s.id, awsNameOf(s.name), created),
    ),
    auditStatement(db, caller.actor, { workspaceId: ws.id, action: 'run.launch', targetKind: 'run', targetId: runId, targetName: input.runName ?? null }),
  ]);

  const launchBudget = new SubrequestBudget(settings.ceiling - reservedForRollback);
  const failLaunch = async (message: string) => {
    await db.prepare("UPDATE runs SET state = 'launch_failed', completed_at = ?, last_error = ? WHERE id = ?").bind(nowIso(), message, runId).run();
  };

  let keys: AwsKeys;
  try {
    keys = await awsKeysFrom(credentials, input.region, settings, launchBudget);
  } catch (err) {
    const message = err instanceof ApiError ? err.message : `Could not assume the credentials' role: ${describe(err)}`;
    await failLaunch(message);
    await db.prepare("UPDATE run_secrets SET state = 'not_created', last_error = ?, updated_at = ? WHERE run_id = ?").bind('launch refused before any secret was created', nowIso(), runId).run();
    await db.prepare('UPDATE runs SET cleaned_at = ? WHERE id = ?').bind(nowIso(), runId).run();
    if (err instanceof ApiError) throw err;
    throw new ApiError(502, message);
  }

  const target = { ...settings.target, region: input.region };
  const sm = secretsManager(keys, target, launchBudget);
  let aborted = false;
  const outcomes = await mapLimit(secrets, AWS_CONCURRENCY, async (s) => {
    if (aborted) return { name: s.name, skipped: true as const };
    try {
      const ref = await sm.createSecret({
        name: awsNameOf(s.name),
        value: s.value,
        clientRequestToken: await clientRequestToken(runId, s.name),
        description: `Latchkey run ${runId}: pipeline secret ${s.name}`,
        tags: { 'latchkey:run': runId, 'latchkey:workspace': ws.id, 'latchkey:secret': s.name },
      });
      return { name: s.name, arn: ref.arn };
    } catch (err) {
      aborted = true;
      return { name: s.name, error: err };
    }
  });

  const failed = outcomes.find((o): o is { name: string; error: unknown } => 'error' in o);
  const stamp = nowIso();
  if (!failed) {
    await db.batch([
      db.prepare("UPDATE runs SET state = 'launched' WHERE id = ? AND state = 'launching'").bind(runId),
      ...outcomes.map((o) =>
        db.prepare("UPDATE run_secrets SET state = 'created', arn = ?, updated_at = ? WHERE run_id = ? AND name = ?").bind((o as { arn: string }).arn, stamp, runId, o.name),
      ),
      db.prepare('UPDATE credentials SET last_used_at = ? WHERE id = ?').bind(stamp, input.credentialsId),
      ...secrets.map((s) => db.prepare('UPDATE pipeline_secrets SET last_used_at = ? WHERE id = ?').bind(stamp, s.id)),
    ]);
    const token = await signRunToken(settings.tokenKey, runId, expiresAt);
    const completionUrl = `${origin}/weblog/${runId}?token=${token}`;
    const run = await getRun(db, ws.id, runId);
    return {
      run,
      completionUrl,
      nextflow: nextflowUsage(run, completionUrl),
      subrequests: { ceiling: settings.ceiling, planned, reservedForRollback, used: launchBudget.used },
    };
  }

  // Roll back: delete what was created, and what may have been (an ambiguous failure), then report.
  const firstError = `Could not create secret '${failed.name}' in AWS Secrets Manager (${input.region}): ${describe(failed.error)}`;
  const states = outcomes.map((o) => {
    if ('arn' in o) return { name: o.name, state: 'created' as const, arn: o.arn as string | null, error: null as string | null };
    if ('error' in o) return { name: o.name, state: mayExist(o.error) ? ('pending' as const) : ('not_created' as const), arn: null, error: `CreateSecret: ${describe(o.error)}` };
    return { name: o.name, state: 'not_created' as const, arn: null, error: 'not attempted: the launch failed first' };
  });
  await db.batch(
    states.map((s) =>
      db.prepare('UPDATE run_secrets SET state = ?, arn = ?, last_error = ?, updated_at = ? WHERE run_id = ? AND name = ?').bind(s.state, s.arn, s.error, stamp, runId, s.name),
    ),
  );
  await failLaunch(firstError);
  const rollbackBudget = new SubrequestBudget(settings.ceiling - launchBudget.used);
  const left = await deleteRunSecrets(db, runId, keys, target, rollbackBudget);
  throw new ApiError(
    502,
    `${firstError}. ${left === 0 ? 'The secrets already created for this run were deleted again.' : `${left} secret(s) of this run could not be deleted yet; the sweeper will retry.`}`,
  );
}

function nextflowUsage(run: Run, completionUrl: string) {
  const lines = run.secrets.map(
    (s) => `nextflow secrets set ${s.name} "$(aws secretsmanager get-secret-value --region ${run.region} --secret-id '${s.arn ?? s.awsName}' --query SecretString --output text)"`,
  );
  return {
    weblogOption: `-with-weblog '${completionUrl}'`,
    config: `// Latchkey run ${run.id}: report run events so its secrets are deleted when it ends\nweblog {\n  enabled = true\n  url = '${completionUrl}'\n}\n`,
    headScript: `# On the head job, with AWS access to the compute environment's account: load this run's secrets\n${lines.join('\n')}\n`,
  };
}

/**
 * Deletes every secret of the run that may still exist, at most 6 at a time; records each outcome and marks the
 * run cleaned when nothing is left. Returns how many are left.
 */
async function deleteRunSecrets(db: D1Database, runId: string, keys: AwsKeys, target: AwsTarget, budget: SubrequestBudget): Promise<number> {
  const { results } = await db
    .prepare("SELECT * FROM run_secrets WHERE run_id = ? AND state IN ('pending', 'created', 'failed') ORDER BY name")
    .bind(runId)
    .all<RunSecretRow>();
  const sm = secretsManager(keys, target, budget);
  const outcomes = await mapLimit(results, AWS_CONCURRENCY, async (s) => {
    try {
      await sm.deleteSecret(s.arn ?? s.aws_name);
      return { name: s.name, ok: true as const };
    } catch (err) {
      return { name: s.name, ok: false as const, error: `DeleteSecret: ${describe(err)}` };
    }
  });
  const stamp = nowIso();
  const left = outcomes.filter((o) => !o.ok).length;
  await db.batch([
    ...outcomes.map((o) =>
      o.ok
        ? db.prepare("UPDATE run_secrets SET state = 'deleted', last_error = NULL, updated_at = ? WHERE run_id = ? AND name = ?").bind(stamp, runId, o.name)
        : db.prepare("UPDATE run_secrets SET state = 'failed', last_error = ?, updated_at = ? WHERE run_id = ? AND name = ?").bind(o.error, stamp, runId, o.name),
    ),
    db
      .prepare("UPDATE runs SET cleaned_at = ? WHERE id = ? AND cleaned_at IS NULL AND NOT EXISTS (SELECT 1 FROM run_secrets WHERE run_id = ? AND state IN ('pending', 'created', 'failed'))")
      .bind(stamp, runId, runId),
  ]);
  return left;
}

/** Deletes what is left of a run's secrets with its credentials (or their role). Returns how many are left. */
async function cleanUpRun(db: D1Database, keyring: Keyring, settings: RelaySettings, row: RunRow, budget: SubrequestBudget): Promise<number> {
  let keys: AwsKeys;
  try {
    keys = await awsKeysFrom(await loadAwsCredentials(db, keyring, row.workspace_id, row.credentials_id), row.region, settings, budget);
  } catch (err) {
    const message = `Cannot delete this run's secrets: ${err instanceof ApiError ? err.message : describe(err)}`;
    await db.prepare('UPDATE runs SET last_error = ? WHERE id = ?').bind(message, row.id).run();
    const { n } = (await db.prepare("SELECT COUNT(*) AS n FROM run_secrets WHERE run_id = ? AND state IN ('pending', 'created', 'failed')").bind(row.id).first<{ n: number }>())!;
    return n;
  }
  return deleteRunSecrets(db, row.id, keys, { ...settings.target, region: row.region }, budget);
}

export type RunOutcome = 'succeeded' | 'failed';

/**
 * Ends a run (the first outcome reported wins) and deletes its secrets. Duplicate, late and out-of-order calls are
 * harmless: an ended run keeps its outcome, and deleting a secret that is gone counts as deleted.
 */
export async function completeRun(db: D1Database, keyring: Keyring, settings: RelaySettings, runId: string, outcome: RunOutcome, actor: Actor, workspaceId?: string) {
  const { row } = await loadRun(db, runId, workspaceId);
  if (row.state !== 'launch_failed' && row.completed_at === null) {
    await db.batch([
      db.prepare('UPDATE runs SET state = ?, completed_at = ? WHERE id = ? AND completed_at IS NULL').bind(outcome, nowIso(), runId),
      auditStatement(db, actor, { workspaceId: row.workspace_id, action: `run.${outcome}`, targetKind: 'run', targetId: runId }),
    ]);
  }
  const left = row.cleaned_at ? 0 : await cleanUpRun(db, keyring, settings, row, new SubrequestBudget(settings.ceiling));
  const after = await loadRun(db, runId);
  return { run: runView(after.row, after.secrets), left };
}

/** Records that Nextflow started the run; never moves an ended run back. */
export async function markRunStarted(db: D1Database, runId: string, nextflow: { runName?: string; sessionId?: string }) {
  await db
    .prepare(
      "UPDATE runs SET state = 'running', started_at = COALESCE(started_at, ?), nextflow_run_name = COALESCE(?, nextflow_run_name), nextflow_session_id = COALESCE(?, nextflow_session_id) WHERE id = ? AND state IN ('launched', 'running')",
    )
    .bind(nowIso(), nextflow.runName ?? null, nextflow.sessionId ?? null, runId)
    .run();
}

/** A run's state and how many of its secrets may still exist in AWS. */
export function runProgress(run: Run) {
  return { state: run.state, secretsLeft: run.secrets.filter((s) => s.state === 'pending' || s.state === 'created' || s.state === 'failed').length };
}

export async function runStateOf(db: D1Database, runId: string) {
  const { row, secrets } = await loadRun(db, runId);
  return runProgress(runView(row, secrets));
}

/** Runs with secrets that may be left in AWS and should not be: ended, expired, or launches that died. */
export async function sweepRuns(db: D1Database, keyring: Keyring, settings: RelaySettings, now = new Date(), maxRuns = 25) {
  const nowIsoStr = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const staleLaunch = new Date(now.getTime() - STALE_LAUNCH_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { results } = await db
    .prepare(
      `SELECT * FROM runs WHERE cleaned_at IS NULL AND (
         state IN ('succeeded', 'failed', 'launch_failed') OR expires_at <= ? OR (state = 'launching' AND created_at <= ?)
       ) ORDER BY expires_at LIMIT ?`,
    )
    .bind(nowIsoStr, staleLaunch, maxRuns)
    .all<RunRow>();
  const budget = new SubrequestBudget(settings.ceiling);
  const report = { runs: results.length, cleaned: 0, secretsLeft: 0 };
  const system: Actor = { kind: 'system', id: null, ip: null, userAgent: 'sweeper' };
  for (const row of results) {
    if (budget.remaining < AWS_CONCURRENCY + 1) break;
    if (row.expires_at <= nowIsoStr && row.completed_at === null)
      await db.batch([
        db.prepare('UPDATE runs SET last_error = ? WHERE id = ?').bind(`No completion was reported before ${row.expires_at}; the secrets were deleted when their time-to-live ran out`, row.id),
        auditStatement(db, system, { workspaceId: row.workspace_id, action: 'run.expired', targetKind: 'run', targetId: row.id }),
      ]);
    if (row.state === 'launching') await db.prepare("UPDATE runs SET state = 'launch_failed', last_error = 'The launch did not finish; its secrets were deleted' WHERE id = ? AND state = 'launching'").bind(row.id).run();
    const left = await cleanUpRun(db, keyring, settings, row, budget);
    report.secretsLeft += left;
    if (left === 0) report.cleaned++;
  }
  return report;
}
