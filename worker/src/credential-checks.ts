/**
 * Seqera's credential checks (`POST /credentials/{id}/validate`) and the health they record (`status`,
 * `lastValidated`, `message`): container-reg logs in to its registry (registry.ts, same bounds as on save); aws and
 * seqeracompute ask STS who the keys are (GetCallerIdentity), or assume the role when one is set; every other provider
 * is checked for well-formedness against its schema. A provider that refuses makes them INVALID with its reason; one
 * that cannot be reached changes nothing (transientError). Owner and admin only, rate-limited, audited (never a value).
 */
import type * as z from '../../shared/z';
import { crossFieldProblems, providerKeys } from '../../shared/providers';
import { type Actor, auditStatement } from './audit';
import { loadCredentialsWithSecrets } from './credentials';
import type { WorkspaceAccess } from './directory';
import { ApiError, conflict } from './errors';
import { nowIso } from './ids';
import { assertNotCheckedTooOften } from './login-checks';
import { assertRegistryLogin, type RegistryPolicy } from './registry';
import { AwsError, type AwsTarget, assumeRole, getCallerIdentity, SubrequestBudget } from './secrets-manager';
import { NO_PLATFORM_IDENTITY, type PlatformIdentity, roleOfKeys } from './platform-identity';
import type { Keyring } from './vault';

export type CredentialsStatus = 'AVAILABLE' | 'INVALID';
export interface ValidationOutcome {
  status: CredentialsStatus;
  message: string | null;
  transientError: boolean;
}

const MESSAGE_MAX = 4096;
const bounded = (m: string) => (m.length > MESSAGE_MAX ? `${m.slice(0, MESSAGE_MAX - 12)} (truncated)` : m);

type Probe = { kind: 'valid' } | { kind: 'invalid'; message: string } | { kind: 'transient'; message: string };

async function probeAws(keys: Record<string, unknown>, secrets: Record<string, string>, target: Omit<AwsTarget, 'region'>, platform: PlatformIdentity | null): Promise<Probe> {
  const { roleMode, roleArn: role, externalId } = roleOfKeys(keys);
  if (roleMode && !platform) return { kind: 'transient', message: `Nothing was checked: ${NO_PLATFORM_IDENTITY}` };
  const awsKeys = roleMode ? platform!.keys : { accessKeyId: String(keys.accessKey ?? ''), secretAccessKey: secrets.secretKey ?? '' };
  const at = { ...target, region: 'us-east-1' };
  const budget = new SubrequestBudget(4);
  const who = roleMode ? "Latchkey's platform identity" : 'these keys';
  try {
    if (role) await assumeRole(awsKeys, role, 'latchkey-validate', at, budget, externalId);
    else await getCallerIdentity(awsKeys, at, budget);
    return { kind: 'valid' };
  } catch (err) {
    if (err instanceof AwsError && !err.retryable)
      return {
        kind: 'invalid',
        message: `AWS refused ${role ? `to let ${who} assume ${role}${externalId ? ` with External ID ${externalId}` : ''}` : 'these keys'} (STS ${role ? 'AssumeRole' : 'GetCallerIdentity'}): ${err.describe()}${roleMode ? ". Check the role's trust policy (GET /credentials/{id} shows it as setupSnippet)" : ''}`,
      };
    return { kind: 'transient', message: `AWS STS could not be reached: ${err instanceof AwsError ? err.describe() : 'network error'}` };
  }
}

async function probeRegistry(keys: Record<string, unknown>, secrets: Record<string, string>, policy: RegistryPolicy): Promise<Probe> {
  try {
    await assertRegistryLogin(String(keys.registry), String(keys.userName), secrets.password ?? '', policy);
    return { kind: 'valid' };
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && /^Invalid credentials/.test(err.message)) return { kind: 'invalid', message: err.message };
    if (err instanceof ApiError && err.status === 400) throw err; // the registry is not one this worker may reach: say so
    return { kind: 'transient', message: err instanceof ApiError ? err.message : 'The registry could not be reached' };
  }
}

/** Well-formedness: the stored fields (public and sealed) against the provider's schema and its cross-field rules. */
function probeForm(provider: keyof typeof providerKeys, keys: Record<string, unknown>, secrets: Record<string, string>): Probe {
  const { discriminator: _, ...fields } = keys;
  const parsed = (providerKeys[provider] as z.ZodMiniObject).safeParse({ ...fields, ...secrets });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: 'invalid', message: `keys.${issue.path.join('.')} ${issue.message}` };
  }
  const [problem] = crossFieldProblems(provider, { ...fields, ...secrets });
  return problem ? { kind: 'invalid', message: `keys.${problem[0]} ${problem[1]}` } : { kind: 'valid' };
}

export async function validateCredentials(
  db: D1Database,
  keyring: Keyring,
  actor: Actor,
  ws: WorkspaceAccess,
  id: string,
  options: { force: boolean; registryPolicy: RegistryPolicy; aws: Omit<AwsTarget, 'region'>; platform: PlatformIdentity | null },
  now = Date.now(),
): Promise<ValidationOutcome> {
  const { credentials, secrets } = await loadCredentialsWithSecrets(db, keyring, ws.id, id);
  const record = (outcome: string, extra: Record<string, unknown> = {}) =>
    auditStatement(db, actor, { workspaceId: ws.id, action: 'credentials.validate', targetKind: 'credentials', targetId: id, targetName: credentials.name, detail: { outcome, ...extra } });
  if (options.force) {
    if (credentials.status !== 'INVALID') throw conflict(`Credentials '${credentials.name}' are ${credentials.status}; force only turns INVALID credentials AVAILABLE`);
    await db.batch([
      db.prepare("UPDATE credentials SET status = 'AVAILABLE', validation_message = NULL WHERE id = ? AND workspace_id = ?").bind(id, ws.id),
      record('forced available'),
    ]);
    return { status: 'AVAILABLE', message: null, transientError: false };
  }
  await assertNotCheckedTooOften(db, ws, id, ['credentials.check', 'credentials.validate'], now);
  const keys = credentials.keys as Record<string, unknown>;
  const probe =
    credentials.provider === 'container-reg'
      ? await probeRegistry(keys, secrets, options.registryPolicy)
      : credentials.provider === 'aws' || credentials.provider === 'seqeracompute'
        ? await probeAws(keys, secrets, options.aws, options.platform)
        : probeForm(credentials.provider, keys, secrets);
  if (probe.kind === 'transient') {
    await record('unreachable').run();
    return { status: credentials.status, message: probe.message, transientError: true };
  }
  const status: CredentialsStatus = probe.kind === 'valid' ? 'AVAILABLE' : 'INVALID';
  const message = probe.kind === 'invalid' ? bounded(probe.message) : null;
  await db.batch([
    db.prepare('UPDATE credentials SET status = ?, last_validated_at = ?, validation_message = ? WHERE id = ? AND workspace_id = ?').bind(status, nowIso(), message, id, ws.id),
    record(status === 'AVAILABLE' ? 'available' : 'invalid'),
  ]);
  return { status, message, transientError: false };
}
