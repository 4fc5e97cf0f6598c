/**
 * Runs: a pipeline run's secrets exist in AWS Secrets Manager for as long as the run lives, and never longer, and
 * only in an AWS account the workspace's owners approved (relay-targets.ts).
 *
 * launchRun learns which account the credentials act in (STS, cached per credential version), refuses any account
 * or role the owners did not approve, then writes the run and its secrets as `pending` before any create, with a
 * sealed copy of the keys it uses: completion and the sweeper delete with those, in that account, never with the
 * credentials' current fields. It creates the secrets (at most 6 at a time, Workers' open-connection limit) and
 * rolls back what it created if any create fails. completeRun deletes them on the run's completion; sweepRuns
 * deletes what outlived its time-to-live or whose deletion failed, backing off a run that keeps failing.
 */
import type { Run } from '../../shared/api';
import { awsRegionProblem } from '../../shared/aws-regions';
import { type Actor, auditStatement } from './audit';
import { credentialsRead, loadCredentialsWithSecrets } from './credentials';
import { roleAtLeast, ROLES, PERMISSIONS } from '../../shared/roles';
import type { WorkspaceAccess } from './directory';
import type { Env } from './env';
import { ApiError, forbidden, invalidField, notFound } from './errors';
import { isoSeconds, newId, nowIso } from './ids';
import { assertHpcApproved, assertRelayApproved, hpcAllowedRead, relayTargetsRead } from './relay-targets';
import { DEFAULT_DOWNLOAD_MINUTES, hpcConfig, hpcHeadScript, MAX_DOWNLOAD_MINUTES } from './hpc';
import { DEFAULT_BATCH_CLI_PATH, launchKit } from './launch-kit';
import { signDownloadToken, signRunToken } from './run-tokens';
import { sha256Hex } from './tokens';
import { type ResolvedSecret, resolveRunSecretsFrom, runSecretsRead } from './secrets';
import {
  accountOfArn, type AwsIdentity, type AwsKeys, AwsError, type AwsTarget, assumeRole, getCallerIdentity, MAX_OPEN_CONNECTIONS, mapLimit,
  NotSentError, SubrequestBudget, secretsManager, withoutFinalPeriod,
} from './secrets-manager';
import { type ListQuery, type Page, pageSql, type SqlPart, value } from './sql';
import { NO_PLATFORM_IDENTITY, type PlatformIdentity, platformIdentity, roleOfKeys } from './platform-identity';
import type { Keyring, SealContext } from './vault';

/** Workers allow 6 simultaneous open connections per request. */
export const AWS_CONCURRENCY = MAX_OPEN_CONNECTIONS;
/** A launch keeps this many creates per connection under way: one in flight, the next signed and waiting. */
const PREPARED_AHEAD = 2;
const DEFAULT_PREFIXES = ['latchkey/'];
const DEFAULT_MAX_TTL_HOURS = 168;
/** A launch that has not finished after this long died half-way; the sweeper cleans it up. */
const STALE_LAUNCH_MS = 15 * 60_000;
/** A cleanup that failed is retried after 10 minutes, then 20, 40 … up to 12 hours between attempts. */
const RETRY_BASE_MS = 10 * 60_000;
const RETRY_CAP_MS = 12 * 3600_000;
/** Runs the sweeper cleans at the same time (their AWS calls share the 6 open connections). */
const SWEEP_CONCURRENCY = 6;
/** Names listed in a message about what is left in AWS. */
const NAMES_SHOWN = 10;

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
  account_id: string | null;
  role_arn: string | null;
  cleanup_ct: string | null;
  cleanup_iv: string | null;
  key_version: string | null;
  cleanup_attempts: number;
  next_attempt_at: string | null;
  cleanup_error: string | null;
  expired_at: string | null;
  batch_cli_path: string | null;
  abandoned_at: string | null;
  target: 'aws' | 'hpc';
  download_expires_at: string | null;
  downloaded_at: string | null;
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
  secret_version: number | null;
  delivered_at: string | null;
  deleted_at: string | null;
}

const LIVE_STATES = "('pending', 'created', 'failed')";

export interface RelaySettings {
  ceiling: number;
  /** Default time-to-live of a run's secrets. */
  ttlHours: number;
  /** The operator's cap on ttlHours (RUN_SECRETS_MAX_TTL_HOURS). */
  maxTtlHours: number;
  /** The operator's allowed secret-name prefixes (RUN_SECRETS_PREFIXES); the first is the default. */
  prefixes: string[];
  /** Regions AWS opened after shared/aws-regions.ts was written (AWS_EXTRA_REGIONS). */
  extraRegions: string[];
  target: Omit<AwsTarget, 'region'>;
  tokenKey: string | undefined;
  /** The worker's own AWS identity, for role-mode credentials (PLATFORM_AWS_*); null when not configured. */
  platform: PlatformIdentity | null;
}

const PREFIX_RULE = /^[A-Za-z0-9/_+=.@-]{1,200}$/;

export function relaySettings(env: Env): RelaySettings {
  const num = (v: string | undefined, fallback: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback);
  const prefixes = (env.RUN_SECRETS_PREFIXES ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const bad = prefixes.find((p) => !PREFIX_RULE.test(p));
  if (bad !== undefined)
    throw new ApiError(503, 'RUN_SECRETS_PREFIXES must be a comma-separated list of AWS secret-name prefixes (letters, digits and / _ + = . @ -); the operator must fix it');
  const maxTtlHours = Math.floor(num(env.RUN_SECRETS_MAX_TTL_HOURS, DEFAULT_MAX_TTL_HOURS));
  return {
    ceiling: num(env.MAX_SUBREQUESTS, 1000),
    ttlHours: Math.min(num(env.RUN_SECRETS_TTL_HOURS, 72), maxTtlHours),
    maxTtlHours,
    prefixes: prefixes.length ? prefixes : DEFAULT_PREFIXES,
    extraRegions: (env.AWS_EXTRA_REGIONS ?? '').split(',').map((r) => r.trim()).filter(Boolean),
    target: { endpoint: env.AWS_ENDPOINT_URL || undefined, retryBaseMs: num(env.AWS_RETRY_BASE_MS, 200) },
    tokenKey: env.RUN_TOKEN_KEY,
    platform: platformIdentity(env),
  };
}

/** The launch's prefix and time-to-live within the operator's bounds, or a 400 naming the field and the bound. */
function boundedLaunch(settings: RelaySettings, input: { secretsPrefix?: string; ttlHours?: number }) {
  const prefix = input.secretsPrefix ?? settings.prefixes[0]!;
  if (!settings.prefixes.some((allowed) => prefix.startsWith(allowed)))
    throw invalidField(
      'secretsPrefix',
      `must start with ${settings.prefixes.length > 1 ? 'one of ' : ''}${settings.prefixes.map((p) => `'${p}'`).join(', ')}: the operator allows only ${settings.prefixes.length > 1 ? 'those prefixes' : 'that prefix'} (RUN_SECRETS_PREFIXES), so IAM policies can be limited to them. Leave it out for '${settings.prefixes[0]}'`,
    );
  const ttlHours = input.ttlHours ?? settings.ttlHours;
  if (ttlHours > settings.maxTtlHours)
    throw invalidField(
      'ttlHours',
      `must be at most ${settings.maxTtlHours} on this server: the operator caps how long a run's secrets may live (RUN_SECRETS_MAX_TTL_HOURS). Leave it out for ${settings.ttlHours}`,
    );
  return { prefix, ttlHours };
}

function runView(row: RunRow, secrets: RunSecretRow[]): Run {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    runName: row.run_name,
    state: row.state,
    target: row.target ?? 'aws',
    region: row.region || null,
    credentialsId: row.credentials_id || null,
    download: row.download_expires_at ? { expiresAt: row.download_expires_at, downloadedAt: row.downloaded_at } : null,
    accountId: row.account_id,
    roleArn: row.role_arn,
    launchedBy: row.launched_by,
    nextflowRunName: row.nextflow_run_name,
    dateCreated: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    expiresAt: row.expires_at,
    cleanedAt: row.cleaned_at,
    lastError: row.cleanup_error ?? row.last_error,
    cleanupAttempts: row.cleanup_attempts ?? 0,
    abandonedAt: row.abandoned_at ?? null,
    nextAttemptAt: row.next_attempt_at,
    secrets: secrets.map((s) => ({
      name: s.name, source: s.source, version: s.secret_version, awsName: s.aws_name, arn: s.arn, state: s.state, lastError: s.last_error, updatedAt: s.updated_at,
      deliveredAt: s.delivered_at, deletedAt: s.deleted_at,
    })),
  };
}

/** The statements reading a run (in `ws`, an id or SQL for it, when given) and its secrets. */
export function runReads(db: D1Database, runId: string, ws?: SqlPart): D1PreparedStatement[] {
  return [
    ws ? db.prepare(`SELECT * FROM runs WHERE id = ? AND workspace_id = ${ws.sql}`).bind(runId, ...ws.params) : db.prepare('SELECT * FROM runs WHERE id = ?').bind(runId),
    ws
      ? db.prepare(`SELECT * FROM run_secrets WHERE run_id = (SELECT id FROM runs WHERE id = ? AND workspace_id = ${ws.sql}) ORDER BY name`).bind(runId, ...ws.params)
      : db.prepare('SELECT * FROM run_secrets WHERE run_id = ? ORDER BY name').bind(runId),
  ];
}

/** The run runReads found, or 404. */
export function runFound(results: readonly (D1Result | undefined)[], runId: string, inWorkspace: boolean): { row: RunRow; secrets: RunSecretRow[] } {
  const row = results[0]?.results[0] as RunRow | undefined;
  if (!row) throw notFound(`Run '${runId}'${inWorkspace ? ' in this workspace' : ''}`);
  return { row, secrets: (results[1]?.results ?? []) as RunSecretRow[] };
}

async function loadRun(db: D1Database, runId: string, workspaceId?: string): Promise<{ row: RunRow; secrets: RunSecretRow[] }> {
  return runFound(await db.batch(runReads(db, runId, workspaceId === undefined ? undefined : value(workspaceId))), runId, workspaceId !== undefined);
}

export async function getRun(db: D1Database, workspaceId: string, runId: string): Promise<Run> {
  const { row, secrets } = await loadRun(db, runId, workspaceId);
  return runView(row, secrets);
}

/** The run view of what runReads found, or 404. */
export const runViewOf = (results: readonly (D1Result | undefined)[], runId: string) => {
  const { row, secrets } = runFound(results, runId, true);
  return runView(row, secrets);
};

/** A page of the workspace's runs, newest first, with their secrets; `ws` is the workspace id or SQL for it. */
export function listRuns(db: D1Database, ws: SqlPart, page: Page): ListQuery<Run> {
  const limit = pageSql(page);
  const pageIds = `SELECT id FROM runs WHERE workspace_id = ${ws.sql} ORDER BY created_at DESC, id${limit.sql}`;
  return {
    statements: [
      db.prepare(`SELECT * FROM runs WHERE id IN (${pageIds}) ORDER BY created_at DESC, id`).bind(...ws.params, ...limit.params),
      db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE workspace_id = ${ws.sql}`).bind(...ws.params),
      db.prepare(`SELECT s.* FROM run_secrets s WHERE s.run_id IN (${pageIds}) ORDER BY s.name`).bind(...ws.params, ...limit.params),
    ],
    read(results) {
      const byRun = new Map<string, RunSecretRow[]>();
      for (const s of (results[2]?.results ?? []) as RunSecretRow[]) byRun.set(s.run_id, [...(byRun.get(s.run_id) ?? []), s]);
      const runs = ((results[0]?.results ?? []) as RunRow[]).map((r) => runView(r, byRun.get(r.id) ?? []));
      return { items: runs, totalSize: (results[1]?.results[0] as { n: number } | undefined)?.n ?? runs.length };
    },
  };
}

/**
 * Completing a run needs `launch` for one's own runs and `maintain` (or above) for anyone else's: a 403 naming the
 * rule otherwise. Throws 404 first when the run is not in the workspace.
 */
export async function assertMayComplete(db: D1Database, ws: WorkspaceAccess, caller: { userId: string }, runId: string, read?: readonly (D1Result | undefined)[]): Promise<void> {
  const { row } = read ? runFound(read, runId, true) : await loadRun(db, runId, ws.id);
  if (row.launched_by === caller.userId || roleAtLeast(ws.role, PERMISSIONS.maintain)) return;
  const allowed = ROLES.filter((r) => roleAtLeast(r, PERMISSIONS.maintain)).join(', ');
  throw forbidden(
    `Run '${runId}' was launched by another member; completing someone else's run needs one of: ${allowed}, and your role in workspace '${ws.name}' is '${ws.role}'. You may complete the runs you launched`,
  );
}

type AwsCredentials = Awaited<ReturnType<typeof loadCredentialsWithSecrets>>;

/** The run's aws credentials in this workspace, opened; a 400 naming credentialsId when they are not aws ones. */
async function loadAwsCredentials(db: D1Database, keyring: Keyring, workspaceId: string, credentialsId: string, stored?: D1Result): Promise<AwsCredentials> {
  const loaded = await loadCredentialsWithSecrets(db, keyring, workspaceId, credentialsId, stored).catch((err) => {
    if (err instanceof ApiError && err.status === 404) throw invalidField('credentialsId', `names no credentials in this workspace ('${credentialsId}')`);
    throw err;
  });
  if (loaded.credentials.provider !== 'aws')
    throw invalidField('credentialsId', `names '${loaded.credentials.name}', which are ${loaded.credentials.provider} credentials; a launch needs aws credentials`);
  return loaded;
}

/**
 * A launch names credentials a check found INVALID, or role-mode ones while the worker has no identity of its own to
 * assume their role with: say so before anything.
 */
function assertUsableForLaunch(c: AwsCredentials, settings: RelaySettings) {
  if (c.credentials.status === 'INVALID')
    throw invalidField('credentialsId', `names '${c.credentials.name}', which are INVALID: ${c.credentials.message ?? 'the last check was refused'}. Fix them and check again (POST /credentials/{id}/validate)`);
  if (c.credentials.keys.mode === 'role' && !settings.platform)
    throw invalidField('credentialsId', `names '${c.credentials.name}', role-mode credentials, but ${NO_PLATFORM_IDENTITY}. Until then, launch with credentials that have an access key and secret key`);
}

const roleOf = (c: AwsCredentials) => roleOfKeys(c.credentials.keys).roleArn;
const longTermKeys = (c: AwsCredentials): AwsKeys => ({ accessKeyId: String(c.credentials.keys.accessKey), secretAccessKey: c.secrets.secretKey! });

/**
 * What a run keeps (sealed) to reach its secrets until they are deleted: the credentials' long-term keys, or, in role
 * mode, only that the worker's platform identity assumes the role; with the External ID the role requires, if any.
 */
type RunAccess = (AwsKeys & { platform?: undefined; externalId?: string | null }) | { platform: true; externalId: string | null };

function accessOf(c: AwsCredentials): RunAccess {
  const { roleMode, externalId } = roleOfKeys(c.credentials.keys);
  return roleMode ? { platform: true, externalId } : { ...longTermKeys(c), externalId };
}

/** The keys that sign the first AWS call of `access`: its own, or the platform identity's (null when unset). */
const signingKeys = (access: RunAccess, settings: RelaySettings): AwsKeys | null =>
  access.platform ? (settings.platform?.keys ?? null) : { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey };
const sessionName = (id: string) => `latchkey-${id}`.slice(0, 64);

/** The statement reading the account the credentials' own keys act in, as learnt for the current sealed version of their keys. */
const cachedAccountRead = (db: D1Database, ws: SqlPart, credentialsId: string) =>
  db
    .prepare(
      `SELECT i.account_id, i.caller_arn, i.access_key_id FROM aws_identities i JOIN credentials c ON c.id = i.credentials_id
       WHERE i.credentials_id = ? AND c.workspace_id = ${ws.sql} AND i.sealed_iv = c.secret_iv`,
    )
    .bind(credentialsId, ...ws.params);

/** The account these credentials' own keys act in, if cachedAccountRead found it for these keys. */
function cachedAccount(found: D1Result | undefined, accessKeyId: string): AwsIdentity | null {
  const row = found?.results[0] as { account_id: string; caller_arn: string; access_key_id: string } | undefined;
  return row && row.access_key_id === accessKeyId ? { accountId: row.account_id, arn: row.caller_arn } : null;
}

function rememberAccount(db: D1Database, credentialsId: string, accessKeyId: string, identity: AwsIdentity): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO aws_identities (credentials_id, access_key_id, sealed_iv, account_id, caller_arn, checked_at)
       SELECT id, ?, secret_iv, ?, ?, ? FROM credentials WHERE id = ?
       ON CONFLICT (credentials_id) DO UPDATE SET access_key_id = excluded.access_key_id, sealed_iv = excluded.sealed_iv,
         account_id = excluded.account_id, caller_arn = excluded.caller_arn, checked_at = excluded.checked_at`,
    )
    .bind(accessKeyId, identity.accountId, identity.arn, nowIso(), credentialsId);
}

const clientRequestToken = (runId: string, name: string) => sha256Hex(`${runId}\u0000${name}`);

const describe = (err: unknown) => (err instanceof AwsError ? err.describe() : err instanceof Error ? withoutFinalPeriod(err.message) : String(err));
/** An outcome we cannot be sure of: the secret may exist, so it must be deleted to be safe. */
const mayExist = (err: unknown) => !(err instanceof AwsError) || err.retryable || err.type === 'NetworkError';

const runSealContext = (workspaceId: string, runId: string): SealContext => ({ kind: 'run', workspaceId, recordId: runId });

export interface LaunchInput {
  credentialsId?: string;
  region?: string;
  secrets?: string[];
  secretsPrefix?: string;
  ttlHours?: number;
  runName?: string;
  batchCliPath?: string;
  target?: 'aws' | 'hpc';
  downloadWindowMinutes?: number;
}

/** One INSERT for all of a run's secrets, `pending` (what may come to exist in AWS), whatever their number. */
function insertRunSecrets(db: D1Database, runId: string, secrets: ResolvedSecret[], awsNameOf: (name: string) => string, at: string): D1PreparedStatement {
  const rows = secrets.map((s) => ({ name: s.name, source: s.source, id: s.id, version: s.version, awsName: awsNameOf(s.name) }));
  return db
    .prepare(
      `INSERT INTO run_secrets (run_id, name, source, pipeline_secret_id, secret_version, aws_name, state, updated_at)
       SELECT ?, json_extract(value, '$.name'), json_extract(value, '$.source'), json_extract(value, '$.id'), json_extract(value, '$.version'), json_extract(value, '$.awsName'), 'pending', ?
       FROM json_each(?)`,
    )
    .bind(runId, at, JSON.stringify(rows));
}

/**
 * Everything a launch reads before it calls AWS, as statements for one batch (with the caller's check, `ws` and
 * `personal` being SQL for the workspace and the caller's personal workspace): the credentials (sealed), only the
 * named pipeline secrets of both workspaces, the account the credentials are known to act in, the workspace's relay
 * targets and whether it allows HPC runs.
 */
export function launchReads(db: D1Database, ws: SqlPart, personal: SqlPart, input: LaunchInput): D1PreparedStatement[] {
  const credentialsId = input.target === 'hpc' ? '' : (input.credentialsId ?? '');
  return [
    credentialsRead(db, ws, credentialsId, true),
    runSecretsRead(db, ws, personal, input.secrets),
    cachedAccountRead(db, ws, credentialsId),
    relayTargetsRead(db, ws),
    hpcAllowedRead(db, ws),
  ];
}

export async function launchRun(
  db: D1Database,
  keyring: Keyring,
  settings: RelaySettings,
  caller: { userId: string; personalWorkspaceId: string; actor: Actor },
  ws: WorkspaceAccess,
  input: LaunchInput,
  origin: string,
  /** The results of launchReads, when the caller's check already made them in its round trip. */
  reads?: D1Result[],
) {
  const { prefix, ttlHours } = boundedLaunch(settings, input);
  const [credentialsFound, secretRows, identityFound, relayTargets, hpcFound] = reads ?? (await db.batch(launchReads(db, value(ws.id), value(caller.personalWorkspaceId), input)));
  if (input.target === 'hpc') return launchHpcRun(db, keyring, settings, caller, ws, input, ttlHours, origin, { secretRows: secretRows!, hpcAllowed: (hpcFound?.results.length ?? 0) > 0 });
  if (!input.credentialsId) throw invalidField('credentialsId', "is required for target 'aws': the id of the aws credentials of the compute environment (or launch with target 'hpc')");
  if (!input.region) throw invalidField('region', "is required for target 'aws': the AWS region of the compute environment, such as eu-west-1");
  const region = input.region;
  const regionProblem = awsRegionProblem(region, settings.extraRegions);
  if (regionProblem) throw invalidField('region', regionProblem);
  const credentials = await loadAwsCredentials(db, keyring, ws.id, input.credentialsId, credentialsFound);
  assertUsableForLaunch(credentials, settings);
  const secrets = await resolveRunSecretsFrom(keyring, caller.personalWorkspaceId, secretRows!, input.secrets);
  if (secrets.length === 0)
    throw invalidField('secrets', 'selects no pipeline secrets: create workspace or user secrets first, or name existing ones');
  const roleArn = roleOf(credentials);
  const access = accessOf(credentials);
  const baseKeys = signingKeys(access, settings)!;
  const known = roleArn ? null : cachedAccount(identityFound, baseKeys.accessKeyId);
  const identityCalls = roleArn ? 1 : known ? 0 : 1;
  const planned = secrets.length + identityCalls;
  const reservedForRollback = secrets.length;
  if (planned + reservedForRollback > settings.ceiling)
    throw invalidField(
      'secrets',
      `selects ${secrets.length} secrets; launching them needs up to ${planned + reservedForRollback} AWS calls (${planned} to create${roleArn ? ' and assume the role' : identityCalls ? ' and learn the account' : ''}, ${reservedForRollback} to roll back if one fails) but this worker may make ${settings.ceiling} per request (MAX_SUBREQUESTS). Name fewer secrets, or raise MAX_SUBREQUESTS if your Workers plan allows more`,
    );
  const runId = newId();
  const awsNameOf = (name: string) => `${prefix}${runId}/${name}`;
  if (secrets.some((s) => awsNameOf(s.name).length > 512))
    throw invalidField('secretsPrefix', 'makes an AWS secret name longer than 512 characters; shorten it');

  const target = { ...settings.target, region: region };
  const launchBudget = new SubrequestBudget(settings.ceiling - reservedForRollback);
  const what = { credentialsId: credentials.credentials.id, region: region, secrets: secrets.map((s) => s.name) };
  /** The account learnt from STS, to remember with the run (or the refusal). */
  let learnt: D1PreparedStatement | null = null;
  const refuse = async (accountId: string) => {
    try {
      await assertRelayApproved(db, ws, { credentialsName: credentials.credentials.name, accountId, roleArn }, relayTargets);
    } catch (err) {
      // An attempt to send secrets to an account the owners did not approve is worth knowing about; the account
      // learnt on the way is kept, so an approval does not cost another STS call.
      await db.batch([
        auditStatement(db, caller.actor, {
          workspaceId: ws.id, action: 'run.refused', targetKind: 'credentials', targetId: credentials.credentials.id, targetName: credentials.credentials.name,
          detail: { reason: 'account or role not approved', accountId, roleArn, ...what },
        }),
        ...(learnt ? [learnt] : []),
      ]);
      throw err;
    }
  };

  // Where would the secrets go? Decided before anything is written or created.
  let keys: AwsKeys;
  let accountId: string;
  if (roleArn) {
    const roleAccount = accountOfArn(roleArn);
    if (!roleAccount) throw invalidField('credentialsId', `names '${credentials.credentials.name}', whose assumeRoleArn is not an IAM role ARN; fix the credentials`);
    await refuse(roleAccount);
    try {
      const assumed = await assumeRole(baseKeys, roleArn, sessionName(credentials.credentials.id), target, launchBudget, access.externalId);
      if (assumed.identity.accountId !== roleAccount)
        throw new AwsError('UnexpectedAccount', `STS gave a session in account ${assumed.identity.accountId}, not in ${roleAccount} where the role is`, 502);
      keys = assumed.keys;
    } catch (err) {
      throw new ApiError(502, `Could not assume the credentials' role: ${describe(err)}. No secret was created`);
    }
    accountId = roleAccount;
  } else {
    let identity = known;
    if (!identity) {
      try {
        identity = await getCallerIdentity(baseKeys, target, launchBudget);
      } catch (err) {
        throw new ApiError(502, `Could not learn which AWS account credentials '${credentials.credentials.name}' act in (STS GetCallerIdentity): ${describe(err)}. No secret was created`);
      }
      learnt = rememberAccount(db, credentials.credentials.id, baseKeys.accessKeyId, identity);
    }
    await refuse(identity.accountId);
    keys = baseKeys;
    accountId = identity.accountId;
  }

  const now = new Date();
  const created = nowIso();
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  const expiresIso = isoSeconds(expiresAt);
  // The run keeps the long-term keys (not the hour-long session) so it can always delete its own secrets; in role mode,
  // only that the platform identity assumes the role, with its External ID.
  const sealedKeys = await keyring.seal(runSealContext(ws.id, runId), JSON.stringify(access));

  // The completion token depends only on the run's id and expiry: signed while the secrets are created.
  const runToken = signRunToken(settings.tokenKey, runId, new Date(expiresIso));
  runToken.catch(() => {}); // awaited (and its error reported) only if the launch succeeds

  // Record everything first: if this request dies half-way, the sweeper still knows what may exist in AWS, and where.
  // The creates below are prepared (hashed, signed) meanwhile, but none is sent before this batch has succeeded.
  const recorded = db.batch([
    db
      .prepare(
        `INSERT INTO runs (id, workspace_id, launched_by, credentials_id, region, secrets_prefix, run_name, state, created_at, expires_at,
           account_id, role_arn, cleanup_ct, cleanup_iv, key_version, batch_cli_path)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'launching', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(runId, ws.id, caller.userId, credentials.credentials.id, region, prefix, input.runName ?? null, created, expiresIso, accountId, roleArn, sealedKeys.ct, sealedKeys.iv, sealedKeys.keyVersion, input.batchCliPath ?? null),
    insertRunSecrets(db, runId, secrets, awsNameOf, created),
    auditStatement(db, caller.actor, {
      workspaceId: ws.id, action: 'run.launch', targetKind: 'run', targetId: runId, targetName: input.runName ?? null,
      detail: { accountId, roleArn, ...what, secretsPrefix: prefix, expiresAt: expiresIso },
    }),
    ...(learnt ? [learnt] : []),
  ]);

  const failLaunch = async (message: string) => {
    await db.prepare("UPDATE runs SET state = 'launch_failed', completed_at = ?, last_error = ? WHERE id = ?").bind(nowIso(), message, runId).run();
  };

  const sm = secretsManager(keys, target, launchBudget);
  let aborted = false;
  // A pool rather than batches: twice as many creates under way as there are connections, so that the next one is
  // already signed when a connection comes free (ConnectionLimiter keeps at most 6 open). After a failure, nothing
  // more is sent.
  const creating = mapLimit(secrets, PREPARED_AHEAD * AWS_CONCURRENCY, async (s) => {
    if (aborted) return { name: s.name, skipped: true as const };
    try {
      const ref = await sm.createSecret(
        {
          name: awsNameOf(s.name),
          value: s.value,
          clientRequestToken: await clientRequestToken(runId, s.name),
          description: `Latchkey run ${runId}: pipeline secret ${s.name}`,
          tags: { 'latchkey:run': runId, 'latchkey:workspace': ws.id, 'latchkey:secret': s.name },
        },
        undefined,
        { after: recorded, unless: () => aborted },
      );
      return { name: s.name, arn: ref.arn };
    } catch (err) {
      if (err instanceof NotSentError) return { name: s.name, skipped: true as const };
      aborted = true;
      return { name: s.name, error: err };
    }
  });
  // Not recorded: nothing was sent (each create waits for `recorded`), and the launch fails with D1's error.
  await recorded;
  const outcomes = await creating;

  const failed = outcomes.find((o): o is { name: string; error: unknown } => 'error' in o);
  const stamp = nowIso();
  if (!failed) {
    const arns = Object.fromEntries(outcomes.map((o) => [o.name, (o as { arn: string }).arn]));
    // One statement per table, whatever the number of secrets.
    await db.batch([
      db.prepare("UPDATE runs SET state = 'launched' WHERE id = ? AND state = 'launching'").bind(runId),
      db
        .prepare(`UPDATE run_secrets SET state = 'created', arn = json_extract(?, '$."' || name || '"'), updated_at = ?, delivered_at = ? WHERE run_id = ? AND state = 'pending'`)
        .bind(JSON.stringify(arns), stamp, stamp, runId),
      db.prepare('UPDATE credentials SET last_used_at = ? WHERE id = ?').bind(stamp, credentials.credentials.id),
      db.prepare('UPDATE pipeline_secrets SET last_used_at = ? WHERE id IN (SELECT value FROM json_each(?))').bind(stamp, JSON.stringify(secrets.map((s) => s.id))),
    ]);
    // The run as just written, without reading it back.
    const run = runView(
      {
        id: runId, workspace_id: ws.id, launched_by: caller.userId, credentials_id: credentials.credentials.id, region, secrets_prefix: prefix, run_name: input.runName ?? null,
        state: 'launched', nextflow_run_name: null, nextflow_session_id: null, created_at: created, started_at: null, completed_at: null, expires_at: expiresIso,
        cleaned_at: null, last_error: null, account_id: accountId, role_arn: roleArn, cleanup_ct: sealedKeys.ct, cleanup_iv: sealedKeys.iv, key_version: sealedKeys.keyVersion,
        cleanup_attempts: 0, next_attempt_at: null, cleanup_error: null, expired_at: null, batch_cli_path: input.batchCliPath ?? null, abandoned_at: null, target: 'aws',
        download_expires_at: null, downloaded_at: null,
      },
      secrets.map((s) => ({
        run_id: runId, name: s.name, source: s.source, aws_name: awsNameOf(s.name), arn: arns[s.name] ?? null, state: 'created', last_error: null, updated_at: stamp,
        secret_version: s.version, delivered_at: stamp, deleted_at: null,
      })),
    );
    return {
      run,
      ...(await kitFor(settings, run, input.batchCliPath ?? null, origin, runToken)),
      subrequests: { ceiling: settings.ceiling, planned, reservedForRollback, used: launchBudget.used },
    };
  }

  // Roll back: delete what was created, and what may have been (an ambiguous failure), then report.
  const firstError = `Could not create secret '${failed.name}' in AWS Secrets Manager (${region}): ${describe(failed.error)}`;
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
  const { row, secrets: ledger } = await loadRun(db, runId);
  const { left, statements } = await deleteRunSecrets(db, row, ledger.filter(isLive), keys, accountId, target, rollbackBudget);
  await db.batch(statements);
  throw new ApiError(
    502,
    `${firstError}. ${left === 0 ? 'The secrets already created for this run were deleted again.' : `${left} secret(s) of this run could not be deleted yet; the sweeper will retry.`}`,
  );
}

/** The launch kit for a run, with a fresh run-scoped token (valid until the run's expiry plus the grace period). */
/** A fresh run token (valid until the run's expiry plus the grace), the run's weblog URL, and the older URL form with it. */
async function completionOf(settings: RelaySettings, run: Run, origin: string, signed?: Promise<string>) {
  const token = await (signed ?? signRunToken(settings.tokenKey, run.id, new Date(run.expiresAt)));
  const weblogUrl = `${origin}/weblog/${run.id}`;
  return { token, weblogUrl, completionUrl: `${weblogUrl}?token=${token}` };
}

async function kitFor(settings: RelaySettings, run: Run, batchCliPath: string | null, origin: string, signed?: Promise<string>) {
  const { token, weblogUrl, completionUrl } = await completionOf(settings, run, origin, signed);
  const kit = launchKit({
    runId: run.id,
    region: run.region ?? '',
    secrets: run.secrets.filter((s) => s.state === 'created').map((s) => ({ name: s.name, secretId: s.arn ?? s.awsName })),
    weblogUrl,
    runToken: token,
    batchCliPath: batchCliPath ?? DEFAULT_BATCH_CLI_PATH,
  });
  return { completionUrl, nextflow: { target: 'aws' as const, ...kit, weblogOption: `-with-weblog '${completionUrl}'` } };
}

/** An 'hpc' run's kit: the weblog config and the head script with the run's one download token. */
async function hpcKitFor(settings: RelaySettings, run: Run, origin: string) {
  const { token, weblogUrl, completionUrl } = await completionOf(settings, run, origin);
  const downloadToken = await signDownloadToken(settings.tokenKey, run.id, new Date(run.download!.expiresAt));
  return {
    completionUrl,
    nextflow: {
      target: 'hpc' as const,
      config: hpcConfig({ runId: run.id, weblogUrl, runToken: token }),
      env: { LATCHKEY_RUN: run.id, LATCHKEY_SECRETS_DIR: `$PWD/.latchkey/${run.id}` },
      headScript: hpcHeadScript({ runId: run.id, storeUrl: `${origin}/hpc/${run.id}/secrets-store`, downloadToken, secretCount: run.secrets.length }),
      taskScript: '',
      weblogOption: `-with-weblog '${completionUrl}'`,
    },
  };
}

/**
 * Slurm/HPC: nothing goes to a cloud. The run and its ledger are written at once (each secret 'pending' until the
 * head job's one download), and the kit's head script carries a download token valid for downloadWindowMinutes.
 */
async function launchHpcRun(
  db: D1Database,
  keyring: Keyring,
  settings: RelaySettings,
  caller: { userId: string; personalWorkspaceId: string; actor: Actor },
  ws: WorkspaceAccess,
  input: LaunchInput,
  ttlHours: number,
  origin: string,
  read: { secretRows: D1Result; hpcAllowed: boolean },
) {
  for (const field of ['credentialsId', 'region', 'batchCliPath', 'secretsPrefix'] as const)
    if (input[field] !== undefined) throw invalidField(field, "applies only to target 'aws'; leave it out for an 'hpc' run, which relays nothing to AWS");
  await assertHpcApproved(db, ws, read.hpcAllowed);
  const secrets = await resolveRunSecretsFrom(keyring, caller.personalWorkspaceId, read.secretRows, input.secrets);
  if (secrets.length === 0) throw invalidField('secrets', 'selects no pipeline secrets: create workspace or user secrets first, or name existing ones');
  const runId = newId();
  const now = Date.now();
  const created = nowIso();
  const expiresIso = isoSeconds(now + ttlHours * 3600_000);
  const windowMinutes = input.downloadWindowMinutes ?? DEFAULT_DOWNLOAD_MINUTES;
  const downloadUntil = isoSeconds(now + Math.min(windowMinutes, MAX_DOWNLOAD_MINUTES) * 60_000);
  const written = await db.batch([
    db
      .prepare(
        `INSERT INTO runs (id, workspace_id, launched_by, credentials_id, region, secrets_prefix, run_name, state, created_at, expires_at, target, download_expires_at)
         VALUES (?, ?, ?, '', '', '', ?, 'launched', ?, ?, 'hpc', ?)`,
      )
      .bind(runId, ws.id, caller.userId, input.runName ?? null, created, expiresIso, downloadUntil),
    insertRunSecrets(db, runId, secrets, () => '', created),
    db.prepare('UPDATE pipeline_secrets SET last_used_at = ? WHERE id IN (SELECT value FROM json_each(?))').bind(created, JSON.stringify(secrets.map((s) => s.id))),
    auditStatement(db, caller.actor, {
      workspaceId: ws.id, action: 'run.launch', targetKind: 'run', targetId: runId, targetName: input.runName ?? null,
      detail: { target: 'hpc', secrets: secrets.map((s) => s.name), downloadExpiresAt: downloadUntil, expiresAt: expiresIso },
    }),
    ...runReads(db, runId),
  ]);
  const run = runViewOf(written.slice(-2), runId);
  return { run, ...(await hpcKitFor(settings, run, origin)), subrequests: { ceiling: settings.ceiling, planned: 0, reservedForRollback: 0, used: 0 } };
}

/**
 * The launch kit again, for the member who launched the run (nobody else: it carries the run's completion token),
 * while the run is live. 404 for others, as for a run they cannot see.
 */
export async function launchKitOf(db: D1Database, settings: RelaySettings, ws: WorkspaceAccess, caller: { userId: string }, runId: string, origin: string, read?: readonly (D1Result | undefined)[]) {
  const { row, secrets } = read ? runFound(read, runId, true) : await loadRun(db, runId, ws.id);
  if (row.launched_by !== caller.userId) throw forbidden(`Only the member who launched run '${runId}' can get its launch kit: it carries the run's completion token`);
  if (row.state === 'launch_failed' || row.completed_at !== null)
    throw new ApiError(409, `Run '${runId}' has ${row.state === 'launch_failed' ? 'failed to launch' : 'ended'}; its secrets are gone or going, so there is no kit to give. Launch a new run`);
  const run = runView(row, secrets);
  if (run.target === 'hpc') {
    if (row.downloaded_at) throw new ApiError(409, `The secret store of run '${runId}' was already downloaded; its kit is no longer of use. Launch a new run`);
    return hpcKitFor(settings, run, origin);
  }
  return kitFor(settings, run, row.batch_cli_path, origin);
}

/** "3 secrets still in AWS account 123456789012 (eu-west-1): latchkey/…/A, …" — what is left, exactly where. */
function stillInAws(row: RunRow, left: Array<{ aws_name: string }>, accountId: string | null, why: string): string {
  const names = left.slice(0, NAMES_SHOWN).map((s) => s.aws_name).join(', ');
  const more = left.length > NAMES_SHOWN ? ` and ${left.length - NAMES_SHOWN} more` : '';
  const where = accountId ? `AWS account ${accountId} (${row.region})` : `AWS (${row.region}; account not recorded)`;
  return `${left.length} secret${left.length === 1 ? '' : 's'} of this run may still be in ${where}${row.role_arn ? ` through role ${row.role_arn}` : ''}: ${names}${more}. ${withoutFinalPeriod(why)}.`;
}

/** What a cleanup decided: how many secrets may be left, and the statements recording it (for the caller's batch). */
interface Cleanup {
  left: number;
  /** The secrets that may still exist after it. */
  leftSecrets: RunSecretRow[];
  statements: D1PreparedStatement[];
}

/** A secret that may exist in AWS: pending (a create may have gone through), created, or failed to delete. */
const isLive = (s: { state: RunSecretRow['state'] }) => s.state === 'pending' || s.state === 'created' || s.state === 'failed';

/**
 * Deletes every secret of the run that may still exist (`live`) with `keys` (which act in `accountId`), at most 6 at
 * a time, and answers the statements that record each outcome and, when nothing is left, mark the run cleaned and drop
 * its sealed keys. A secret whose ARN names another account is not touched: deleting it elsewhere would prove nothing.
 */
async function deleteRunSecrets(db: D1Database, row: RunRow, live: RunSecretRow[], keys: AwsKeys, accountId: string, target: AwsTarget, budget: SubrequestBudget): Promise<Cleanup> {
  const runId = row.id;
  const sm = secretsManager(keys, target, budget);
  const outcomes = await mapLimit(live, AWS_CONCURRENCY, async (s) => {
    const arnAccount = s.arn ? accountOfArn(s.arn) : null;
    if (arnAccount && arnAccount !== accountId)
      return { s, ok: false as const, error: `not deleted: it was created in account ${arnAccount}, but the keys at hand act in ${accountId}` };
    try {
      await sm.deleteSecret(s.arn ?? s.aws_name);
      return { s, ok: true as const };
    } catch (err) {
      return { s, ok: false as const, error: `DeleteSecret: ${describe(err)}` };
    }
  });
  const stamp = nowIso();
  const failures = outcomes.filter((o) => !o.ok);
  const firstError = failures[0] && 'error' in failures[0] ? failures[0].error : '';
  const deleted = outcomes.filter((o) => o.ok).map((o) => o.s.name);
  const failed = Object.fromEntries(failures.map((o) => [o.s.name, 'error' in o ? o.error : '']));
  return {
    left: failures.length,
    leftSecrets: failures.map((f) => f.s),
    statements: [
      // One statement for the deleted and one for the failed, whatever their number.
      ...(deleted.length
        ? [db.prepare("UPDATE run_secrets SET state = 'deleted', last_error = NULL, updated_at = ?, deleted_at = ? WHERE run_id = ? AND name IN (SELECT value FROM json_each(?))").bind(stamp, stamp, runId, JSON.stringify(deleted))]
        : []),
      ...(failures.length
        ? [db.prepare(`UPDATE run_secrets SET state = 'failed', last_error = json_extract(?, '$."' || name || '"'), updated_at = ? WHERE run_id = ? AND name IN (SELECT key FROM json_each(?))`).bind(JSON.stringify(failed), stamp, runId, JSON.stringify(failed))]
        : []),
      db
        .prepare(`UPDATE runs SET cleaned_at = ?, cleanup_error = NULL, next_attempt_at = NULL, cleanup_ct = NULL, cleanup_iv = NULL, key_version = NULL
                  WHERE id = ? AND cleaned_at IS NULL AND NOT EXISTS (SELECT 1 FROM run_secrets WHERE run_id = ? AND state IN ${LIVE_STATES})`)
        .bind(stamp, runId, runId),
      db
        .prepare('UPDATE runs SET cleanup_error = ? WHERE id = ? AND cleaned_at IS NULL')
        .bind(failures.length ? stillInAws(row, failures.map((f) => f.s), accountId, `Last error: ${firstError}`) : null, runId),
    ],
  };
}

/**
 * Deletes what is left of a run's secrets (`secrets`: all of them, as read) where they were created: with the keys
 * the run sealed at launch (through its role, if any), after checking those keys act in the run's account. Never with
 * the credentials' current fields, except for runs launched before runs kept their keys. Answers how many are left
 * and the statements recording it; nothing is written here.
 */
async function cleanUpRun(db: D1Database, keyring: Keyring, settings: RelaySettings, row: RunRow, secrets: RunSecretRow[], budget: SubrequestBudget): Promise<Cleanup> {
  if (row.target === 'hpc') return closeHpcRun(db, row);
  const live = secrets.filter(isLive);
  const target = { ...settings.target, region: row.region };
  if (live.length === 0) return deleteRunSecrets(db, row, live, { accessKeyId: '', secretAccessKey: '' }, row.account_id ?? '', target, budget);
  const expected = row.account_id ?? live.map((s) => (s.arn ? accountOfArn(s.arn) : null)).find(Boolean) ?? null;
  const giveUp = (why: string): Cleanup => ({
    left: live.length,
    leftSecrets: live,
    statements: [db.prepare('UPDATE runs SET cleanup_error = ? WHERE id = ?').bind(stillInAws(row, live, expected, `Nothing was deleted: ${why}`), row.id)],
  });
  let access: RunAccess;
  let roleArn: string | null;
  if (row.cleanup_ct && row.cleanup_iv && row.key_version) {
    try {
      access = JSON.parse(await keyring.open(runSealContext(row.workspace_id, row.id), { ct: row.cleanup_ct, iv: row.cleanup_iv, keyVersion: row.key_version })) as RunAccess;
    } catch (err) {
      return giveUp(withoutFinalPeriod((err as Error).message));
    }
    roleArn = row.role_arn;
  } else {
    // A run launched before runs kept their own keys: its credentials' current keys, checked against the account.
    try {
      const credentials = await loadAwsCredentials(db, keyring, row.workspace_id, row.credentials_id);
      access = accessOf(credentials);
      roleArn = roleOf(credentials);
    } catch (err) {
      return giveUp(`its credentials cannot be used (${err instanceof ApiError ? withoutFinalPeriod(err.message) : describe(err)})`);
    }
  }
  const baseKeys = signingKeys(access, settings);
  if (!baseKeys) return giveUp(`the run was launched in role mode and ${NO_PLATFORM_IDENTITY.replace(/^this worker/, 'this worker now')}`);
  let keys: AwsKeys;
  let acting: string;
  try {
    if (roleArn) {
      const assumed = await assumeRole(baseKeys, roleArn, sessionName(row.credentials_id), target, budget, access.externalId);
      keys = assumed.keys;
      acting = assumed.identity.accountId;
    } else {
      keys = baseKeys;
      acting = (await getCallerIdentity(baseKeys, target, budget)).accountId;
    }
  } catch (err) {
    return giveUp(`${roleArn ? `assuming role ${roleArn}` : 'checking which account the keys act in (STS GetCallerIdentity)'} failed with ${describe(err)}`);
  }
  if (expected && acting !== expected) return giveUp(`the keys at hand act in AWS account ${acting}, not in ${expected} where the secrets were created`);
  return deleteRunSecrets(db, row, live, keys, acting, target, budget);
}

/**
 * An 'hpc' run holds nothing in a cloud: when it ends (or expires), what was downloaded counts as deleted (the head
 * script removes the store when Nextflow exits) and what never was as not created. The download closes with it.
 */
function closeHpcRun(db: D1Database, row: RunRow): Cleanup {
  const stamp = nowIso();
  return {
    left: 0,
    leftSecrets: [],
    statements: [
      db.prepare("UPDATE run_secrets SET state = 'deleted', deleted_at = ?, updated_at = ? WHERE run_id = ? AND state = 'created'").bind(stamp, stamp, row.id),
      db.prepare("UPDATE run_secrets SET state = 'not_created', last_error = 'never downloaded', updated_at = ? WHERE run_id = ? AND state = 'pending'").bind(stamp, row.id),
      db.prepare('UPDATE runs SET cleaned_at = ? WHERE id = ? AND cleaned_at IS NULL').bind(stamp, row.id),
    ],
  };
}

export type RunOutcome = 'succeeded' | 'failed';

/** The statements ending a run with `outcome` and auditing it, both only if it had not ended yet. */
function endRunStatements(db: D1Database, runId: string, outcome: RunOutcome, actor: Actor): D1PreparedStatement[] {
  const open = { sql: "EXISTS (SELECT 1 FROM runs WHERE id = ? AND completed_at IS NULL AND state != 'launch_failed')", params: [runId] };
  return [
    // The audit event first: it is written only while the run is still open, so exactly once.
    auditStatement(db, actor, { workspaceId: { sql: '(SELECT workspace_id FROM runs WHERE id = ?)', params: [runId] }, action: `run.${outcome}`, targetKind: 'run', targetId: runId }, open),
    db.prepare("UPDATE runs SET state = ?, completed_at = ? WHERE id = ? AND completed_at IS NULL AND state != 'launch_failed'").bind(outcome, nowIso(), runId),
  ];
}

/**
 * Ends a run (the first outcome reported wins) and deletes its secrets: two D1 round trips, whatever the number of
 * secrets. Without `read`, the end is recorded at once with the read of the run (the run token was the authority);
 * with `read` (runReads' results, made with the caller's check), the end is recorded with the outcome of the deletes.
 * Duplicate, late and out-of-order calls are harmless: an ended run keeps its outcome, and deleting a secret that is
 * gone (in the run's account) counts as deleted.
 */
export async function completeRun(
  db: D1Database,
  keyring: Keyring,
  settings: RelaySettings,
  runId: string,
  outcome: RunOutcome,
  actor: Actor,
  workspaceId?: string,
  read?: readonly (D1Result | undefined)[],
) {
  const ending = endRunStatements(db, runId, outcome, actor);
  const first = read ?? (await db.batch([...ending, ...runReads(db, runId, workspaceId === undefined ? undefined : value(workspaceId))])).slice(-2);
  const { row, secrets } = runFound(first, runId, workspaceId !== undefined);
  const open = row.state !== 'launch_failed' && row.completed_at === null;
  if (row.cleaned_at && !(read && open)) return { run: runView(row, secrets), left: 0 };
  const cleanup: Cleanup = row.cleaned_at ? { left: 0, leftSecrets: [], statements: [] } : await cleanUpRun(db, keyring, settings, row, secrets, new SubrequestBudget(settings.ceiling));
  const after = await db.batch([...(read ? ending : []), ...cleanup.statements, ...runReads(db, runId)]);
  const final = runFound(after.slice(-2), runId, false);
  return { run: runView(final.row, final.secrets), left: cleanup.left };
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
  return { state: run.state, secretsLeft: run.secrets.filter(isLive).length };
}

export async function runStateOf(db: D1Database, runId: string) {
  const { row, secrets } = await loadRun(db, runId);
  return runProgress(runView(row, secrets));
}

/** After this many failed cleanups (about four days with the backoff) the sweeper stops and says so. */
export const MAX_CLEANUP_ATTEMPTS = 12;

/**
 * The final state of a run the sweeper cannot clean: its live secrets become 'abandoned' (they may still be in AWS),
 * the run says exactly what may be left and how to delete it by hand, the audit records it once, and the credentials
 * are no longer held for it. Answers the statements, for the sweeper's batch.
 */
function abandonCleanup(db: D1Database, row: RunRow, live: RunSecretRow[], attempts: number, actor: Actor): D1PreparedStatement[] {
  const stamp = nowIso();
  const where = row.account_id ? `AWS account ${row.account_id} (${row.region})` : `AWS (${row.region})`;
  const names = live.map((s) => s.arn ?? s.aws_name);
  const message = `Latchkey stopped trying after ${attempts} failed cleanups: ${live.length} secret(s) may remain in ${where}: ${names.slice(0, NAMES_SHOWN).join(', ')}${names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : ''}. Delete them there by hand (aws secretsmanager delete-secret --force-delete-without-recovery --secret-id <name>) once the cause below is fixed.`;
  return [
    db.prepare(`UPDATE run_secrets SET state = 'abandoned', updated_at = ? WHERE run_id = ? AND state IN ${LIVE_STATES}`).bind(stamp, row.id),
    db.prepare("UPDATE runs SET abandoned_at = ?, cleanup_attempts = ?, next_attempt_at = NULL, cleanup_error = ? || ' ' || COALESCE(cleanup_error, '') WHERE id = ?").bind(stamp, attempts, message, row.id),
    auditStatement(db, actor, {
      workspaceId: row.workspace_id, action: 'run.cleanup_abandoned', targetKind: 'run', targetId: row.id, targetName: row.run_name,
      detail: { accountId: row.account_id, region: row.region, attempts, secretsLeft: names },
    }),
  ];
}

/** The wait before the next sweep may retry a run whose cleanup failed `attempts` times: 10 min, 20, 40 … 12 h. */
export const retryDelayMs = (attempts: number) => Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_CAP_MS);

/** How long a sweep holds the runs it claimed: longer than any one invocation may run (a cron's 15 minutes). */
export const SWEEP_CLAIM_MS = 20 * 60_000;
/** Runs whose outcomes are written together in one D1 batch. */
const SWEEP_WRITE_GROUP = 25;

/**
 * Runs with secrets that may be left in AWS and should not be: ended, expired, or launches that died. Oldest due
 * first; a run whose cleanup failed waits until its next-attempt time (exponential backoff), so it can never keep
 * others from being reached. The sweep first claims the runs it takes (one atomic UPDATE … RETURNING with their live
 * secrets in the same round trip), so two overlapping sweeps never handle the same run; a claim lapses after
 * SWEEP_CLAIM_MS if a sweep dies. Several runs are cleaned at once, sharing the 6 open connections and the
 * subrequest budget; a run that does not fit in what is left of the budget is released for the next sweep without
 * counting as failed. Outcomes are written SWEEP_WRITE_GROUP runs to a batch.
 */
export async function sweepRuns(db: D1Database, keyring: Keyring, settings: RelaySettings, now = new Date(), maxRuns = 500) {
  const nowIsoStr = isoSeconds(now);
  const staleLaunch = isoSeconds(now.getTime() - STALE_LAUNCH_MS);
  const claim = newId();
  const claimedUntil = isoSeconds(now.getTime() + SWEEP_CLAIM_MS);
  const [claimed, liveRows] = await db.batch([
    db
      .prepare(
        `UPDATE runs SET sweep_claim = ?, sweep_claimed_until = ? WHERE id IN (
           SELECT id FROM runs WHERE cleaned_at IS NULL AND abandoned_at IS NULL AND (
             state IN ('succeeded', 'failed', 'launch_failed') OR expires_at <= ? OR (state = 'launching' AND created_at <= ?)
           ) AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (sweep_claimed_until IS NULL OR sweep_claimed_until <= ?)
           ORDER BY COALESCE(next_attempt_at, CASE WHEN state = 'launching' THEN created_at WHEN completed_at IS NOT NULL AND completed_at < expires_at THEN completed_at ELSE expires_at END), id
           LIMIT ?)
         RETURNING *`,
      )
      .bind(claim, claimedUntil, nowIsoStr, staleLaunch, nowIsoStr, nowIsoStr, maxRuns),
    db.prepare(`SELECT s.* FROM run_secrets s JOIN runs r ON r.id = s.run_id WHERE r.sweep_claim = ? AND s.state IN ${LIVE_STATES} ORDER BY s.run_id, s.name`).bind(claim),
  ]);
  const rows = ((claimed?.results ?? []) as RunRow[]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const liveByRun = new Map<string, RunSecretRow[]>();
  for (const s of (liveRows?.results ?? []) as RunSecretRow[]) liveByRun.set(s.run_id, [...(liveByRun.get(s.run_id) ?? []), s]);
  const budget = new SubrequestBudget(settings.ceiling);
  const report = { runs: rows.length, cleaned: 0, secretsLeft: 0, deferred: 0, abandoned: 0 };
  const system: Actor = { kind: 'system', id: null, ip: null, userAgent: 'sweeper' };
  const release = (runId: string) => db.prepare('UPDATE runs SET sweep_claim = NULL, sweep_claimed_until = NULL WHERE id = ? AND sweep_claim = ?').bind(runId, claim);
  let pending: D1PreparedStatement[][] = [];
  const flush = async () => {
    const group = pending;
    pending = [];
    if (group.length) await db.batch(group.flat());
  };
  const record = async (statements: D1PreparedStatement[]) => {
    pending.push(statements);
    if (pending.length >= SWEEP_WRITE_GROUP) await flush();
  };
  await mapLimit(rows, SWEEP_CONCURRENCY, async (row) => {
    const live = liveByRun.get(row.id) ?? [];
    // One STS call to check the account (or assume the role), one delete per secret, and room to retry each once.
    const share = live.length === 0 ? budget.carve(0) : budget.carve(1 + live.length, 1 + live.length * 2);
    if (!share) {
      report.deferred++;
      await record([release(row.id)]);
      return;
    }
    const statements: D1PreparedStatement[] = [];
    try {
      if (row.expires_at <= nowIsoStr && row.completed_at === null && row.expired_at === null) {
        // Audited once, when the sweeper first finds the time-to-live over; the message claims nothing about deletion.
        statements.push(
          db.prepare('UPDATE runs SET expired_at = ?, last_error = ? WHERE id = ? AND expired_at IS NULL')
            .bind(nowIsoStr, `No completion was reported before ${row.expires_at}, when the time-to-live of its secrets ran out`, row.id),
          auditStatement(db, system, {
            workspaceId: row.workspace_id, action: 'run.expired', targetKind: 'run', targetId: row.id, targetName: row.run_name,
            detail: { accountId: row.account_id, roleArn: row.role_arn, region: row.region, secretsLeft: live.length },
          }),
        );
      }
      if (row.state === 'launching')
        statements.push(db.prepare("UPDATE runs SET state = 'launch_failed', last_error = 'The launch did not finish' WHERE id = ? AND state = 'launching'").bind(row.id));
      const cleanup = await cleanUpRun(db, keyring, settings, row, live, share);
      statements.push(...cleanup.statements);
      report.secretsLeft += cleanup.left;
      if (cleanup.left === 0) {
        report.cleaned++;
        if (row.state === 'launching') statements.push(db.prepare("UPDATE runs SET last_error = 'The launch did not finish; its secrets were deleted' WHERE id = ?").bind(row.id));
      } else if ((row.cleanup_attempts ?? 0) + 1 >= MAX_CLEANUP_ATTEMPTS) {
        statements.push(...abandonCleanup(db, row, cleanup.leftSecrets, (row.cleanup_attempts ?? 0) + 1, system));
        report.abandoned++;
      } else {
        const attempts = (row.cleanup_attempts ?? 0) + 1;
        const next = isoSeconds(now.getTime() + retryDelayMs(attempts));
        statements.push(
          db
            .prepare("UPDATE runs SET cleanup_attempts = ?, next_attempt_at = ?, cleanup_error = COALESCE(cleanup_error, '') || ? WHERE id = ?")
            .bind(attempts, next, ` The sweeper tries again after ${next} (failed attempts: ${attempts}).`, row.id),
        );
      }
    } finally {
      budget.giveBack(share);
      await record([...statements, release(row.id)]);
    }
  });
  await flush();
  return report;
}
