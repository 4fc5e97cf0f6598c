/**
 * Request and response shapes of the worker's API (Seqera-compatible where Seqera has the call).
 * The worker validates with these schemas and generates /openapi.json from them; the extension's types come from them.
 */
import * as z from 'zod';
import { CredentialsName, mustBeString, SecretName, SecretValue } from './names';
import { PLATFORM_IDS, PROVIDER_IDS, type ProviderId, providerKeys, providers, secretFieldNames } from './providers';
import { ROLES } from './roles';

/** zod error for a choice: "is required" when absent, else the allowed values. */
const oneOf = (values: readonly string[]) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is required: one of ${values.join(', ')}` : `must be one of ${values.join(', ')}`;

export const ErrorBody = z.object({ message: z.string() }).meta({ id: 'Error' });

const Id = z.string().meta({ description: 'Opaque identifier' });
/** Ids Seqera types as int64 (users, organizations, workspaces, pipeline secrets): JSON numbers below 2^53. */
export const Int64Id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).meta({ description: 'Numeric identifier (int64, always below 2^53)', format: 'int64' });
const IsoDate = z.string().meta({ description: 'ISO-8601 UTC', example: '2026-11-22T10:00:00Z' });

export const WorkspaceQuery = z.object({
  workspaceId: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a numeric workspace id; leave it out for your personal workspace')
    .optional()
    .meta({ description: "The workspace; absent means the caller's personal workspace" }),
});

const description = z
  .string({ error: 'must be a string' })
  .max(1000, 'must be at most 1000 characters')
  .nullable()
  .optional();

function baseUrlField(provider: ProviderId) {
  if (providers[provider].baseUrl) return providerBaseUrl;
  return z
    .union([z.literal(''), z.null()], { error: `applies only to git providers; leave it out for '${provider}'` })
    .optional();
}
const providerBaseUrl = z
  .string({ error: 'must be a string' })
  .trim()
  .max(2048)
  .check((ctx) => {
    if (ctx.value === '') return;
    let ok = false;
    try {
      const u = new URL(ctx.value);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      ok = false;
    }
    if (!ok) ctx.issues.push({ code: 'custom', message: 'must be an http(s) URL such as https://git.example.com, without user or password', input: ctx.value });
  })
  .nullable()
  .optional()
  .meta({ description: 'Self-hosted server URL (git providers only)' });

/** Fields a client may echo back from a GET (Terraform sends them as explicit nulls); accepted and ignored. */
const readOnlyEcho = {
  id: z.string().nullable().optional(),
  category: z.unknown().optional(),
  dateCreated: z.unknown().optional(),
  lastUpdated: z.unknown().optional(),
  lastUsed: z.unknown().optional(),
  lastValidated: z.unknown().optional(),
  status: z.unknown().optional(),
  message: z.unknown().optional(),
  checked: z.unknown().optional(),
  deleted: z.unknown().optional(),
};

/** When credentials expire: a date (end of that day, UTC) or a date-time; null or absent for none. Latchkey's addition. */
export const ExpiresAt = z
  .string({ error: 'must be a date such as 2027-03-31, or a date-time' })
  .check((ctx) => {
    const v = ctx.value;
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v.length === 10 ? `${v}T23:59:59Z` : v)))
      ctx.issues.push({ code: 'custom', message: 'must be a date such as 2027-03-31, or an ISO-8601 date-time with a time zone', input: v });
  })
  .nullable()
  .optional()
  .meta({ description: "When these credentials expire (Latchkey's addition; the extension warns a week before). A date means the end of that day, UTC" });

/** As Seqera's server: an explicit `null` in `keys` means the field is absent (Terraform marshals every unset key so). */
function nullMeansAbsent(keys: z.ZodObject): z.ZodObject {
  const shape = Object.fromEntries(
    Object.entries(keys.shape as Record<string, z.ZodType>).map(([name, field]) => [
      name,
      field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType).nullable().optional() : field,
    ]),
  );
  return z.strictObject(shape);
}

function credentialsVariant<P extends ProviderId>(provider: P, mode: 'create' | 'update') {
  const full = providerKeys[provider] as z.ZodObject;
  const keys =
    mode === 'create'
      ? full
      : full.partial(Object.fromEntries(secretFieldNames(provider).map((n) => [n, true])) as Record<string, true>);
  return z.object({
    ...readOnlyEcho,
    name: CredentialsName,
    description,
    provider: z.literal(provider),
    expiresAt: ExpiresAt,
    baseUrl: baseUrlField(provider),
    keys: nullMeansAbsent(keys).extend({ discriminator: z.literal(provider, { error: `must be '${provider}', the provider` }).nullable().optional() }),
  });
}

function credentialsUnion(mode: 'create' | 'update') {
  const variants = PROVIDER_IDS.map((p) => credentialsVariant(p, mode));
  return z.discriminatedUnion('provider', variants as unknown as [ReturnType<typeof credentialsVariant>, ...ReturnType<typeof credentialsVariant>[]], {
    error: (issue) => (issue.code === 'invalid_union' ? oneOf(PROVIDER_IDS)(issue) : undefined),
  });
}

export type CredentialsInput = {
  name: string;
  expiresAt?: string | null;
  description?: string | null;
  provider: ProviderId;
  baseUrl?: string | null;
  keys: Record<string, unknown>;
};

export const CreateCredentialsBody = z
  .object({ credentials: credentialsUnion('create') })
  .meta({ id: 'CreateCredentialsRequest', description: 'Secret fields are required; see each provider.' });
export const UpdateCredentialsBody = z
  .object({ credentials: credentialsUnion('update') })
  .meta({ id: 'UpdateCredentialsRequest', description: 'A secret field left out keeps its stored value.' });

export const CredentialsKeysOut = z
  .object({ discriminator: z.enum(PROVIDER_IDS) })
  .catchall(z.union([z.string(), z.boolean(), z.null()]))
  .meta({ description: 'The non-secret fields only' });

export const CREDENTIALS_STATUSES = ['AVAILABLE', 'INVALID'] as const;

/** Seqera's Credentials: fields without a value are left out (as Seqera's server does), never sent as null. */
export const Credentials = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().optional(),
    provider: z.enum(PROVIDER_IDS),
    baseUrl: z.string().optional(),
    category: z.string(),
    dateCreated: IsoDate,
    lastUpdated: IsoDate,
    lastUsed: IsoDate.optional(),
    status: z.enum(CREDENTIALS_STATUSES).meta({ description: 'AVAILABLE until a check (POST /credentials/{id}/validate) is refused by the provider; then INVALID, with message' }),
    lastValidated: IsoDate.optional().meta({ description: 'When the last conclusive check ran' }),
    message: z.string().optional().meta({ description: 'Why the last check found them INVALID' }),
    expiresAt: IsoDate.optional().meta({ description: "When these credentials expire (Latchkey's addition); absent when not known" }),
    keys: CredentialsKeysOut,
  })
  .meta({ id: 'Credentials' });
export type Credentials = z.infer<typeof Credentials>;

export const CredentialsWriteQuery = WorkspaceQuery.extend({
  useExternalId: z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .optional()
    .meta({
      description:
        "aws and seqeracompute with keys.assumeRoleArn: 'true' generates an External ID (in keys.externalId of the describe answer). In role mode Latchkey always generates it, whatever this says, and refuses one chosen by the client",
    }),
  skipRegistryCheck: z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .optional()
    .meta({ description: 'container-reg only: save without checking the login with the registry (for a registry Latchkey cannot reach)' }),
});

export const ListCredentialsQuery = WorkspaceQuery.extend({
  platformId: z
    .enum(PLATFORM_IDS, { error: oneOf(PLATFORM_IDS) })
    .optional()
    .meta({ description: "A Seqera compute platform (aws-batch, google-batch, k8s-platform, slurm-platform, …): the credentials it can use. A provider id is also accepted and lists that provider's credentials." }),
});
export const DeleteCredentialsQuery = WorkspaceQuery.extend({
  checked: z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .optional()
    .meta({ description: "true: refuse (409 with conflicts) while runs still have secrets in AWS relayed with these credentials. false or absent (what tw sends): delete; each run keeps a sealed copy of what it needs to delete its own secrets" }),
});
export const DeleteCredentialsConflict = z
  .object({
    credentialsId: Id,
    conflicts: z.array(z.object({ id: Id, name: z.string(), type: z.string(), url: z.string() })),
  })
  .meta({ id: 'DeleteCredentialsConflictResponse' });
export const ValidateCredentialsQuery = WorkspaceQuery.extend({
  force: z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .optional()
    .meta({ description: 'true: mark INVALID credentials AVAILABLE without a check (409 when they are not INVALID)' }),
});
export const ValidateCredentialsResponse = z
  .object({
    status: z.enum(CREDENTIALS_STATUSES),
    message: z.string().nullable(),
    transientError: z.boolean().meta({ description: 'The provider could not be reached; the stored status is unchanged' }),
  })
  .meta({ id: 'ValidateCredentialsResponse' });
export const ListCredentialsResponse = z.object({ credentials: z.array(Credentials) });
export const DescribeCredentialsResponse = z.object({
  credentials: Credentials,
  setupSnippet: z
    .string()
    .optional()
    .meta({ description: "AWS role mode: the trust policy to attach to the role (the worker's identity, with this credential's External ID). Left out when the operator has not set PLATFORM_AWS_PRINCIPAL_ARN" }),
});
export const CreateCredentialsResponse = z.object({ credentialsId: Id });
export const ValidateNameQuery = WorkspaceQuery.extend({ name: z.string({ error: 'is required' }) });

export const PipelineSecret = z
  .object({ id: Int64Id, name: z.string(), dateCreated: IsoDate, lastUpdated: IsoDate, lastUsed: IsoDate.optional() })
  .meta({ id: 'PipelineSecret' });
export type PipelineSecret = z.infer<typeof PipelineSecret>;
export const CreateSecretBody = z.object({ name: SecretName, value: SecretValue }).meta({ id: 'CreatePipelineSecretRequest' });
export const UpdateSecretBody = z.object({ value: SecretValue }).meta({ id: 'UpdatePipelineSecretRequest' });
export const ListSecretsResponse = z.object({ pipelineSecrets: z.array(PipelineSecret), totalSize: z.number().int() });
export const DescribeSecretResponse = z.object({ pipelineSecret: PipelineSecret });
export const CreateSecretResponse = z.object({ secretId: Int64Id });

export const RoleSchema = z.enum(ROLES, { error: oneOf(ROLES) });

export const Workspace = z
  .object({
    id: Id,
    name: z.string(),
    fullName: z.string(),
    kind: z.enum(['personal', 'organization']),
    orgId: Id.nullable(),
    orgName: z.string().nullable(),
    role: RoleSchema,
  })
  .meta({ id: 'Workspace' });
export type Workspace = z.infer<typeof Workspace>;
export const ListWorkspacesResponse = z.object({ workspaces: z.array(Workspace) });

export const UserInfo = z
  .object({
    id: Id,
    userName: z.string(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    personalWorkspaceId: Id,
  })
  .meta({ id: 'User' });
/** Seqera's DescribeUserResponse: int64 ids as numbers, fields without a value left out. */
export const SeqeraUser = z
  .object({
    id: Int64Id,
    userName: z.string(),
    email: z.string(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    personalWorkspaceId: Int64Id.meta({ description: "Latchkey: the id of the caller's personal workspace (its user context)" }),
  })
  .meta({ id: 'UserResponseDto' });
export const UserInfoResponse = z.object({ user: SeqeraUser, needConsent: z.boolean() });

export const OrgAndWorkspace = z.object({
  orgId: Int64Id.optional(),
  orgName: z.string().optional(),
  workspaceId: Int64Id.optional(),
  workspaceName: z.string().optional(),
  workspaceFullName: z.string().optional(),
  visibility: z.enum(['PRIVATE', 'SHARED']).optional(),
  roles: z.array(z.string()),
});
export const ListOrgsAndWorkspacesResponse = z.object({ orgsAndWorkspaces: z.array(OrgAndWorkspace) });
export const ListOrganizationsResponse = z.object({
  organizations: z.array(z.object({ orgId: Int64Id, name: z.string(), fullName: z.string().optional(), memberRole: z.enum(['owner', 'member']) })),
  totalSize: z.number().int(),
});
export const ListOrgWorkspacesResponse = z.object({
  workspaces: z.array(z.object({ id: Int64Id, name: z.string(), fullName: z.string().optional(), visibility: z.enum(['PRIVATE', 'SHARED']) })),
});

export const ServiceInfoResponse = z.object({
  serviceInfo: z.object({
    version: z.string(),
    apiVersion: z.string(),
    service: z.literal('latchkey'),
    authTypes: z.array(z.string()),
    providers: z.array(z.enum(PROVIDER_IDS)),
  }),
});

export const AccessToken = z
  .object({ id: Id, name: z.string(), dateCreated: IsoDate, lastUsed: IsoDate.nullable(), expiresAt: IsoDate.nullable() })
  .meta({ id: 'AccessToken' });
const TokenName = z
  .string({ error: mustBeString })
  .regex(/^[A-Za-z0-9_.-]{1,50}$/, "must be 1-50 characters of letters, digits, '.', '-' and '_'");
export const CreateTokenBody = z.object({
  name: TokenName,
  expiresInDays: z.number({ error: 'must be a number of days' }).int('must be a whole number of days').min(1).max(3650).optional(),
});
export const CreateTokenResponse = z.object({
  accessKey: z.string().meta({ description: 'The token itself; shown once, never again' }),
  token: AccessToken,
});
export const ListTokensResponse = z.object({ tokens: z.array(AccessToken) });

// ---- administration (ADMIN_TOKEN) ----
const Slug = (what: string) =>
  z
    .string({ error: mustBeString })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,38}$/, `must be a ${what} name of 2-39 letters, digits, '-' and '_', starting with a letter or digit`);

export const CreateUserBody = z.object({
  userName: Slug('user'),
  email: z.string({ error: mustBeString }).trim().toLowerCase().email('must be an email address'),
  firstName: z.string().max(100).nullable().optional(),
  lastName: z.string().max(100).nullable().optional(),
});
export const CreateUserResponse = z.object({ user: UserInfo });
export const CreateOrganizationBody = z.object({ name: Slug('organization'), fullName: z.string().max(200).optional() });
export const CreateOrganizationResponse = z.object({ orgId: Id });
export const CreateWorkspaceBody = z.object({ name: Slug('workspace'), fullName: z.string().max(200).optional() });
export const CreateWorkspaceResponse = z.object({ workspaceId: Id });
export const SetMembershipBody = z.object({ role: RoleSchema });
export const RotateResponse = z.object({
  currentKeyVersion: z.string(),
  resealed: z.number().int(),
  alreadyCurrent: z.number().int(),
  remaining: z.number().int().meta({ description: 'Rows still under an older key (not counting failed ones)' }),
  failed: z.array(z.object({ kind: z.string(), id: Id, workspaceId: Id, message: z.string() })),
});

// ---- runs: secrets relayed to AWS Secrets Manager for the life of a pipeline run ----
export const RUN_STATES = ['launching', 'launched', 'running', 'succeeded', 'failed', 'launch_failed'] as const;
export const RUN_SECRET_STATES = ['pending', 'created', 'deleted', 'failed', 'not_created', 'abandoned'] as const;

export const LaunchRunBody = z
  .object({
    target: z
      .enum(['aws', 'hpc'], { error: "must be 'aws' or 'hpc'" })
      .optional()
      .meta({ description: "'aws' (default): relay the secrets to AWS Secrets Manager. 'hpc': relay nothing; the head script downloads the run's secret store once (Slurm and other grid schedulers)" }),
    credentialsId: z
      .string({ error: mustBeString })
      .regex(/^[A-Za-z0-9]{1,64}$/, 'must be the id of aws credentials in this workspace')
      .optional()
      .meta({ description: "Required for target 'aws': the aws credentials of the compute environment's account" }),
    region: z
      .string({ error: mustBeString })
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'must be an AWS region such as eu-west-1, the region of the compute environment')
      .optional()
      .meta({ description: "Required for target 'aws'" }),
    downloadWindowMinutes: z
      .number({ error: 'must be a number of minutes' })
      .int('must be a whole number of minutes')
      .min(1, 'must be at least 1')
      .max(1440, 'must be at most 1440 (24 hours)')
      .optional()
      .meta({ description: "target 'hpc': how long the single download of the secret store stays possible (default 60; the head job may wait in the queue)" }),
    secrets: z
      .array(z.string({ error: mustBeString }), { error: 'must be a list of pipeline secret names' })
      .max(1000, 'may name at most 1000 secrets')
      .optional()
      .meta({ description: 'Pipeline secret names to relay; absent means all you may use (user secrets override workspace secrets)' }),
    secretsPrefix: z
      .string({ error: mustBeString })
      .regex(/^[A-Za-z0-9/_+=.@-]{0,200}$/, "must be at most 200 characters of letters, digits and / _ + = . @ -")
      .optional()
      .meta({ description: "Start of each AWS secret name, before the run id: one of the operator's RUN_SECRETS_PREFIXES or longer (default: the first of them, 'latchkey/')" }),
    ttlHours: z
      .number({ error: 'must be a number of hours' })
      .int('must be a whole number of hours')
      .min(1, 'must be at least 1')
      .max(24 * 30, 'must be at most 720 (30 days)')
      .optional()
      .meta({ description: 'Delete the secrets after this long even if the run never reports completion (default RUN_SECRETS_TTL_HOURS; at most the operator’s RUN_SECRETS_MAX_TTL_HOURS)' }),
    runName: z.string({ error: mustBeString }).max(200, 'must be at most 200 characters').optional(),
    batchCliPath: z
      .string({ error: mustBeString })
      .regex(/^\/[A-Za-z0-9/._+-]{1,500}$/, 'must be an absolute path such as /home/ec2-user/miniconda/bin/aws (letters, digits and / . _ + -)')
      .optional()
      .meta({ description: "Where the AWS CLI is inside AWS Batch task containers (Nextflow's aws.batch.cliPath); default /home/ec2-user/miniconda/bin/aws" }),
  })
  .meta({ id: 'LaunchRunRequest' });

// ---- relay targets: the AWS accounts (and roles) owners allow a workspace's secrets to be relayed to ----
export const AwsAccountId = z
  .string({ error: mustBeString })
  .regex(/^\d{12}$/, 'must be a 12-digit AWS account id such as 123456789012');
/** arn:aws:iam::123456789012:role/path/Name (also the aws-cn and aws-us-gov partitions). */
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
export const RoleArn = z
  .string({ error: mustBeString })
  .max(2048, 'must be at most 2048 characters')
  .regex(ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/NextflowSecrets');

export const SetRelayTargetBody = z
  .object({
    accountId: AwsAccountId.meta({ description: 'The AWS account that may receive this workspace’s secrets' }),
    roleArns: z
      .array(RoleArn, { error: 'must be a list of IAM role ARNs' })
      .max(50, 'may list at most 50 roles')
      .optional()
      .meta({ description: 'Only these roles in the account may receive them (absent or empty: any identity in the account)' }),
    description: z.string({ error: mustBeString }).max(500, 'must be at most 500 characters').nullable().optional(),
  })
  .superRefine((body, ctx) => {
    for (const [i, arn] of (body.roleArns ?? []).entries()) {
      const account = ROLE_ARN.exec(arn)?.[1];
      if (account && account !== body.accountId)
        ctx.addIssue({ code: 'custom', path: ['roleArns', i], message: `names a role in account ${account}, not in ${body.accountId}; list each account's roles under that account` });
    }
  })
  .meta({ id: 'SetRelayTargetRequest' });

export const RelayTarget = z
  .object({
    accountId: z.string(),
    roleArns: z.array(z.string()),
    description: z.string().nullable(),
    dateCreated: IsoDate,
    lastUpdated: IsoDate,
    createdBy: Id.nullable(),
  })
  .meta({ id: 'RelayTarget' });
export type RelayTarget = z.infer<typeof RelayTarget>;
export const ListRelayTargetsResponse = z.object({
  relayTargets: z.array(RelayTarget),
  hpc: z.boolean().meta({ description: "Whether owners allow Slurm/HPC runs (target 'hpc'), which download the run's secret store once" }),
});
export const SetRelayTargetResponse = z.object({ relayTarget: RelayTarget });

/** One line of a run's ledger: which version of which secret went where, when, and when it was deleted (never a value). */
export const RunSecret = z.object({
  name: z.string(),
  source: z.enum(['user', 'workspace']),
  version: z.number().int().nullable().meta({ description: "The pipeline secret's version that was relayed (it changes on every update); null for runs launched before versions were kept" }),
  awsName: z.string(),
  arn: z.string().nullable(),
  state: z.enum(RUN_SECRET_STATES),
  lastError: z.string().nullable(),
  updatedAt: IsoDate,
  deliveredAt: IsoDate.nullable().meta({ description: 'When it was created in AWS Secrets Manager' }),
  deletedAt: IsoDate.nullable().meta({ description: 'When it was deleted from AWS Secrets Manager' }),
});

export const Run = z
  .object({
    id: Id,
    workspaceId: Id,
    runName: z.string().nullable(),
    state: z.enum(RUN_STATES),
    target: z.enum(['aws', 'hpc']),
    region: z.string().nullable().meta({ description: "The AWS region; null for an 'hpc' run" }),
    credentialsId: Id.nullable().meta({ description: "The aws credentials used; null for an 'hpc' run" }),
    download: z
      .object({ expiresAt: IsoDate, downloadedAt: IsoDate.nullable() })
      .nullable()
      .meta({ description: "An 'hpc' run's one secret-store download: until when it is possible, and when it happened" }),
    accountId: z.string().nullable().meta({ description: 'The AWS account that received the secrets (null for runs launched before accounts were recorded, or refused before any create)' }),
    roleArn: z.string().nullable().meta({ description: 'The role that received them; null when the credentials’ own keys did' }),
    launchedBy: Id.nullable(),
    nextflowRunName: z.string().nullable(),
    dateCreated: IsoDate,
    startedAt: IsoDate.nullable(),
    completedAt: IsoDate.nullable(),
    expiresAt: IsoDate.meta({ description: 'When the sweeper deletes the secrets if the run has not reported completion' }),
    cleanedAt: IsoDate.nullable().meta({ description: 'When the last of its secrets was deleted from AWS' }),
    lastError: z.string().nullable().meta({ description: 'While secrets are left in AWS: how many, which, in which account and region, and why' }),
    cleanupAttempts: z.number().int().meta({ description: 'Sweeper attempts that failed to delete what is left' }),
    abandonedAt: IsoDate.nullable().meta({ description: 'When the sweeper gave up after repeated failed cleanups; lastError then says what may remain in AWS and how to delete it' }),
    nextAttemptAt: IsoDate.nullable().meta({ description: 'The sweeper retries no earlier than this (exponential backoff)' }),
    secrets: z.array(RunSecret),
  })
  .meta({ id: 'Run' });
export type Run = z.infer<typeof Run>;

export const LaunchKit = z
  .object({
    target: z.enum(['aws', 'hpc']),
    config: z.string().meta({
      description:
        "nextflow.config lines: weblog to this run's completion URL with the run token as basicToken (not in the URL), the region, aws.batch.cliPath, and a process.beforeScript giving each AWS Batch task the secrets it declares",
    }),
    env: z.record(z.string(), z.string()).meta({ description: 'Environment for the head job: NXF_SECRETS_FILE (where the head script writes the store), AWS_REGION, LATCHKEY_RUN' }),
    headScript: z.string().meta({
      description:
        "bash for the head job. aws: writes Nextflow's secret store (0600) from Secrets Manager with the AWS CLI; no value on any command line. hpc: downloads the store once into a 0700 per-run directory, runs the command it is given (nextflow run …), removes the directory afterwards",
    }),
    taskScript: z.string().meta({ description: "aws: the bash the beforeScript runs in each Batch task for the names in $LATCHKEY_SECRETS (for reading; it is already in config). hpc: empty (grid executors give tasks the secrets from the store)" }),
    weblogOption: z.string().meta({ description: 'The older form, -with-weblog with the token in the URL (Nextflow logs URLs): prefer config' }),
  })
  .meta({ id: 'LaunchKit' });

export const LaunchRunResponse = z.object({
  run: Run,
  completionUrl: z.string().meta({ description: 'The older completion URL with the token in it (still accepted); the launch kit posts to the same path with the token as Basic auth' }),
  nextflow: LaunchKit,
  subrequests: z.object({
    ceiling: z.number().int(),
    planned: z.number().int().meta({ description: 'AWS calls a launch makes: one CreateSecret per secret, plus STS AssumeRole when the credentials name a role, plus STS GetCallerIdentity when their account is not known yet' }),
    reservedForRollback: z.number().int(),
    used: z.number().int(),
  }),
});
export const ListRunsResponse = z.object({ runs: z.array(Run) });
export const LaunchKitResponse = z.object({ nextflow: LaunchKit, completionUrl: z.string() });
export const DescribeRunResponse = z.object({ run: Run });
export const CompleteRunBody = z.object({ success: z.boolean({ error: 'must be true or false' }).optional() }).meta({ id: 'CompleteRunRequest' });

/** Nextflow's weblog event (`-with-weblog`): only what Latchkey reads; everything else is accepted as is. */
export const WeblogEvent = z
  .looseObject({
    event: z.string({ error: mustBeString }).max(64, 'must be at most 64 characters'),
    runName: z.string().max(200).optional(),
    runId: z.string().max(100).optional(),
    utcTime: z.string().max(64).optional(),
    metadata: z
      .looseObject({
        workflow: z.looseObject({ success: z.boolean().nullable().optional(), errorMessage: z.string().nullable().optional() }).optional(),
      })
      .nullable()
      .optional(),
  })
  .meta({ id: 'WeblogEvent' });
export const WeblogResponse = z.object({ event: z.string(), handled: z.boolean(), state: z.enum(RUN_STATES), secretsLeft: z.number().int() });

export type CreateCredentialsRequest = z.output<typeof CreateCredentialsBody>;
export type UpdateCredentialsRequest = z.output<typeof UpdateCredentialsBody>;

// ---------------------------------------------------------------------------------------------------------------
// Pagination (perf-d1, issue 12). Seqera's `max` and `offset`, with `totalSize` in the answer. Lists Seqera defines
// without pagination (credentials, pipeline secrets, tokens, organizations, workspaces) stay complete by default and
// accept them as options; Latchkey's own lists (runs, audit, relay targets, /workspaces, admin users) answer a
// default page and refuse more than a hard maximum.
// ---------------------------------------------------------------------------------------------------------------

/** The most rows one page of a list may have. */
export const PAGE_MAX = 1000;
/** The page Latchkey's own lists answer when `max` is left out. */
export const PAGE_DEFAULT = 100;

const pageMax = (hint: string) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${PAGE_MAX}` })
    .int(`must be a whole number from 1 to ${PAGE_MAX}`)
    .min(1, `must be at least 1 (the most rows in one page)`)
    .max(PAGE_MAX, `must be at most ${PAGE_MAX}; fetch further pages with offset`)
    .optional()
    .meta({ description: `The most rows to answer, 1 to ${PAGE_MAX}. ${hint}` });
const pageOffset = z.coerce
  .number({ error: 'must be a whole number, 0 or more' })
  .int('must be a whole number, 0 or more')
  .min(0, 'must be 0 or more (rows to skip)')
  .max(1_000_000_000, 'must be at most 1000000000')
  .optional()
  .meta({ description: 'Rows to skip before the page; default 0' });

/** Optional paging of a list Seqera answers whole: left out, the whole list. */
export const OptionalPageQuery = z.object({ max: pageMax('Left out: the whole list (as Seqera answers it).'), offset: pageOffset });
/** Paging of a list of Latchkey's own: left out, the first PAGE_DEFAULT rows. */
export const PageQuery = z.object({ max: pageMax(`Left out: ${PAGE_DEFAULT}.`), offset: pageOffset });

const TotalSize = z.number().int().meta({ description: 'How many rows the whole list has (the page may have fewer)' });
export const ListCredentialsQueryPaged = ListCredentialsQuery.extend(OptionalPageQuery.shape);
export const SecretsListQuery = WorkspaceQuery.extend(OptionalPageQuery.shape);
export const WorkspacePageQuery = WorkspaceQuery.extend(PageQuery.shape);
export const ListCredentialsPage = ListCredentialsResponse.extend({ totalSize: TotalSize });
export const ListWorkspacesPage = ListWorkspacesResponse.extend({ totalSize: TotalSize });
export const ListOrgsAndWorkspacesPage = ListOrgsAndWorkspacesResponse.extend({ totalSize: TotalSize });
export const ListOrgWorkspacesPage = ListOrgWorkspacesResponse.extend({ totalSize: TotalSize });
export const ListTokensPage = ListTokensResponse.extend({ totalSize: TotalSize });
export const ListRunsPage = ListRunsResponse.extend({ totalSize: TotalSize });
export const ListRelayTargetsPage = ListRelayTargetsResponse.extend({ totalSize: TotalSize });
