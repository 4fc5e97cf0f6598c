/**
 * Request and response shapes of the worker's API (Seqera-compatible where Seqera has the call).
 * The worker validates with these schemas and generates /openapi.json from them; the extension's types come from them.
 * Schemas of answers only (`X = z.DOCS && …`) exist only where documentation is built (the OpenAPI build, tests, the
 * extension): the worker never parses its own answers, and esbuild drops them from its bundle like the rest of DOCS.
 */
import * as z from './z';
import { CredentialsName, mustBeString, SecretName, SecretValue } from './names';
import { PLATFORM_IDS, PROVIDER_IDS, type ProviderId, providerKeys, providers, secretFieldNames } from './providers';
import { ROLES } from './roles';

/** zod error for a choice: "is required" when absent, else the allowed values. */
const oneOf = (values: readonly string[]) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is required: one of ${values.join(', ')}` : `must be one of ${values.join(', ')}`;

export const ErrorBody = z.DOCS && z.withMeta(z.object({ message: z.string() }), z.DOCS && { id: 'Error' });

const Id = z.DOCS && z.withMeta(z.string(), z.DOCS && { description: 'Opaque identifier' });
/** Ids Seqera types as int64 (users, organizations, workspaces, pipeline secrets): JSON numbers below 2^53. */
export const Int64Id = z.DOCS && z.withMeta(z.number().check(z.int()).check(z.gte(1)).check(z.lte(Number.MAX_SAFE_INTEGER)), z.DOCS && { description: 'Numeric identifier (int64, always below 2^53)', format: 'int64' });
const IsoDate = z.DOCS && z.withMeta(z.string(), z.DOCS && { description: 'ISO-8601 UTC', example: '2026-11-22T10:00:00Z' });

export const WorkspaceQuery = z.object({
  workspaceId: z.withMeta(z.optional(z
    .string().check(z.regex(/^\d{1,20}$/, 'must be a numeric workspace id; leave it out for your personal workspace'))), z.DOCS && { description: "The workspace; absent means the caller's personal workspace" }),
});

const description = z.optional(z.nullable(z
  .string({ error: 'must be a string' }).check(z.maxLength(1000, 'must be at most 1000 characters'))));

function baseUrlField(provider: ProviderId) {
  if (providers[provider].baseUrl) return providerBaseUrl;
  return z.optional(z
    .union([z.literal(''), z.null()], { error: `applies only to git providers; leave it out for '${provider}'` }));
}
const providerBaseUrl = z.withMeta(z.optional(z.nullable(z
  .string({ error: 'must be a string' }).check(z.trim()).check(z.maxLength(2048, 'must be at most 2048 characters'))
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
  }))), z.DOCS && { description: 'Self-hosted server URL (git providers only)' });

/** Fields a client may echo back from a GET (Terraform sends them as explicit nulls); accepted and ignored. */
const readOnlyEcho = {
  id: z.optional(z.nullable(z.string())),
  category: z.optional(z.unknown()),
  dateCreated: z.optional(z.unknown()),
  lastUpdated: z.optional(z.unknown()),
  lastUsed: z.optional(z.unknown()),
  lastValidated: z.optional(z.unknown()),
  status: z.optional(z.unknown()),
  message: z.optional(z.unknown()),
  checked: z.optional(z.unknown()),
  deleted: z.optional(z.unknown()),
};

/** When credentials expire: a date (end of that day, UTC) or a date-time; null or absent for none. Latchkey's addition. */
export const ExpiresAt = z.withMeta(z.optional(z.nullable(z
  .string({ error: 'must be a date such as 2027-03-31, or a date-time' })
  .check((ctx) => {
    const v = ctx.value;
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v.length === 10 ? `${v}T23:59:59Z` : v)))
      ctx.issues.push({ code: 'custom', message: 'must be a date such as 2027-03-31, or an ISO-8601 date-time with a time zone', input: v });
  }))), z.DOCS && { description: "When these credentials expire (Latchkey's addition; the extension warns a week before). A date means the end of that day, UTC" });

/** As Seqera's server: an explicit `null` in `keys` means the field is absent (Terraform marshals every unset key so). */
function nullMeansAbsent(keys: z.ZodMiniObject): z.ZodMiniObject {
  const shape = Object.fromEntries(
    Object.entries(keys.shape as Record<string, z.ZodMiniType>).map(([name, field]) => [
      name,
      field instanceof z.ZodMiniOptional ? z.optional(z.nullable(field.def.innerType as z.ZodMiniType)) : field,
    ]),
  );
  return z.strictObject(shape);
}

function credentialsVariant<P extends ProviderId>(provider: P, mode: 'create' | 'update') {
  const full = providerKeys[provider] as z.ZodMiniObject;
  const keys =
    mode === 'create'
      ? full
      : z.partial(full, Object.fromEntries(secretFieldNames(provider).map((n) => [n, true])) as Record<string, true>);
  return z.object({
    ...readOnlyEcho,
    name: CredentialsName,
    description,
    provider: z.literal(provider),
    expiresAt: ExpiresAt,
    baseUrl: baseUrlField(provider),
    keys: z.extend(nullMeansAbsent(keys), { discriminator: z.optional(z.nullable(z.literal(provider, { error: `must be '${provider}', the provider` }))) }),
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

export const CreateCredentialsBody = z.withMeta(z
  .object({ credentials: credentialsUnion('create') }), z.DOCS && { id: 'CreateCredentialsRequest', description: 'Secret fields are required; see each provider.' });
export const UpdateCredentialsBody = z.withMeta(z
  .object({ credentials: credentialsUnion('update') }), z.DOCS && { id: 'UpdateCredentialsRequest', description: 'A secret field left out keeps its stored value.' });

export const CredentialsKeysOut = z.DOCS && z.withMeta(z.catchall(z
  .object({ discriminator: z.enum(PROVIDER_IDS) }), z.union([z.string(), z.boolean(), z.null()])), z.DOCS && { description: 'The non-secret fields only' });

export const CREDENTIALS_STATUSES = ['AVAILABLE', 'INVALID'] as const;

/** Seqera's Credentials: fields without a value are left out (as Seqera's server does), never sent as null. */
export const Credentials = z.DOCS && z.withMeta(z
  .object({
    id: Id,
    name: z.string(),
    description: z.optional(z.string()),
    provider: z.enum(PROVIDER_IDS),
    baseUrl: z.optional(z.string()),
    category: z.string(),
    dateCreated: IsoDate,
    lastUpdated: IsoDate,
    lastUsed: z.optional(IsoDate),
    status: z.withMeta(z.enum(CREDENTIALS_STATUSES), z.DOCS && { description: 'AVAILABLE until a check (POST /credentials/{id}/validate) is refused by the provider; then INVALID, with message' }),
    lastValidated: z.withMeta(z.optional(IsoDate), z.DOCS && { description: 'When the last conclusive check ran' }),
    message: z.withMeta(z.optional(z.string()), z.DOCS && { description: 'Why the last check found them INVALID' }),
    expiresAt: z.withMeta(z.optional(IsoDate), z.DOCS && { description: "When these credentials expire (Latchkey's addition); absent when not known" }),
    keys: CredentialsKeysOut,
  }), z.DOCS && { id: 'Credentials' });
export type Credentials = z.infer<typeof Credentials>;

export const CredentialsWriteQuery = z.extend(WorkspaceQuery, {
  useExternalId: z.withMeta(z.optional(z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })), z.DOCS && {
      description:
        "aws and seqeracompute with keys.assumeRoleArn: 'true' generates an External ID (in keys.externalId of the describe answer). In role mode Latchkey always generates it, whatever this says, and refuses one chosen by the client",
    }),
  skipRegistryCheck: z.withMeta(z.optional(z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })), z.DOCS && { description: 'container-reg only: save without checking the login with the registry (for a registry Latchkey cannot reach)' }),
});

export const ListCredentialsQuery = z.extend(WorkspaceQuery, {
  platformId: z.withMeta(z.optional(z
    .enum(PLATFORM_IDS, { error: oneOf(PLATFORM_IDS) })), z.DOCS && { description: "A Seqera compute platform (aws-batch, google-batch, k8s-platform, slurm-platform, …): the credentials it can use. A provider id is also accepted and lists that provider's credentials." }),
});
export const DeleteCredentialsQuery = z.extend(WorkspaceQuery, {
  checked: z.withMeta(z.optional(z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })), z.DOCS && { description: "true: refuse (409 with conflicts) while runs still have secrets in AWS relayed with these credentials. false or absent (what tw sends): delete; each run keeps a sealed copy of what it needs to delete its own secrets" }),
});
export const DeleteCredentialsConflict = z.DOCS && z.withMeta(z
  .object({
    credentialsId: Id,
    conflicts: z.array(z.object({ id: Id, name: z.string(), type: z.string(), url: z.string() })),
  }), z.DOCS && { id: 'DeleteCredentialsConflictResponse' });
export const ValidateCredentialsQuery = z.extend(WorkspaceQuery, {
  force: z.withMeta(z.optional(z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })), z.DOCS && { description: 'true: mark INVALID credentials AVAILABLE without a check (409 when they are not INVALID)' }),
});
export const ValidateCredentialsResponse = z.DOCS && z.withMeta(z
  .object({
    status: z.enum(CREDENTIALS_STATUSES),
    message: z.nullable(z.string()),
    transientError: z.withMeta(z.boolean(), z.DOCS && { description: 'The provider could not be reached; the stored status is unchanged' }),
  }), z.DOCS && { id: 'ValidateCredentialsResponse' });
export const ListCredentialsResponse = z.DOCS && z.object({ credentials: z.array(Credentials) });
export const DescribeCredentialsResponse = z.DOCS && z.object({
  credentials: Credentials,
  setupSnippet: z.withMeta(z.optional(z
    .string()), z.DOCS && { description: "AWS role mode: the trust policy to attach to the role (the worker's identity, with this credential's External ID). Left out when the operator has not set PLATFORM_AWS_PRINCIPAL_ARN" }),
});
export const CreateCredentialsResponse = z.DOCS && z.object({ credentialsId: Id });
export const ValidateNameQuery = z.extend(WorkspaceQuery, { name: z.string({ error: 'is required' }) });

export const PipelineSecret = z.DOCS && z.withMeta(z
  .object({ id: Int64Id, name: z.string(), dateCreated: IsoDate, lastUpdated: IsoDate, lastUsed: z.optional(IsoDate) }), z.DOCS && { id: 'PipelineSecret' });
export type PipelineSecret = z.infer<typeof PipelineSecret>;
export const CreateSecretBody = z.withMeta(z.object({ name: SecretName, value: SecretValue }), z.DOCS && { id: 'CreatePipelineSecretRequest' });
export const UpdateSecretBody = z.withMeta(z.object({ value: SecretValue }), z.DOCS && { id: 'UpdatePipelineSecretRequest' });
export const ListSecretsResponse = z.DOCS && z.object({ pipelineSecrets: z.array(PipelineSecret), totalSize: z.number().check(z.int()) });
export const DescribeSecretResponse = z.DOCS && z.object({ pipelineSecret: PipelineSecret });
export const CreateSecretResponse = z.DOCS && z.object({ secretId: Int64Id });

export const RoleSchema = z.enum(ROLES, { error: oneOf(ROLES) });

export const Workspace = z.DOCS && z.withMeta(z
  .object({
    id: Id,
    name: z.string(),
    fullName: z.string(),
    kind: z.enum(['personal', 'organization']),
    orgId: z.nullable(Id),
    orgName: z.nullable(z.string()),
    role: RoleSchema,
  }), z.DOCS && { id: 'Workspace' });
export type Workspace = z.infer<typeof Workspace>;
export const ListWorkspacesResponse = z.DOCS && z.object({ workspaces: z.array(Workspace) });

export const UserInfo = z.DOCS && z.withMeta(z
  .object({
    id: Id,
    userName: z.string(),
    email: z.string(),
    firstName: z.nullable(z.string()),
    lastName: z.nullable(z.string()),
    personalWorkspaceId: Id,
  }), z.DOCS && { id: 'User' });
/** Seqera's DescribeUserResponse: int64 ids as numbers, fields without a value left out. */
export const SeqeraUser = z.DOCS && z.withMeta(z
  .object({
    id: Int64Id,
    userName: z.string(),
    email: z.string(),
    firstName: z.optional(z.string()),
    lastName: z.optional(z.string()),
    personalWorkspaceId: z.withMeta(Int64Id, z.DOCS && { description: "Latchkey: the id of the caller's personal workspace (its user context)" }),
  }), z.DOCS && { id: 'UserResponseDto' });
export const UserInfoResponse = z.DOCS && z.object({ user: SeqeraUser, needConsent: z.boolean() });

export const OrgAndWorkspace = z.DOCS && z.object({
  orgId: z.optional(Int64Id),
  orgName: z.optional(z.string()),
  workspaceId: z.optional(Int64Id),
  workspaceName: z.optional(z.string()),
  workspaceFullName: z.optional(z.string()),
  visibility: z.optional(z.enum(['PRIVATE', 'SHARED'])),
  roles: z.array(z.string()),
});
export const ListOrgsAndWorkspacesResponse = z.DOCS && z.object({ orgsAndWorkspaces: z.array(OrgAndWorkspace) });
export const ListOrganizationsResponse = z.DOCS && z.object({
  organizations: z.array(z.object({ orgId: Int64Id, name: z.string(), fullName: z.optional(z.string()), memberRole: z.enum(['owner', 'member']) })),
  totalSize: z.number().check(z.int()),
});
export const ListOrgWorkspacesResponse = z.DOCS && z.object({
  workspaces: z.array(z.object({ id: Int64Id, name: z.string(), fullName: z.optional(z.string()), visibility: z.enum(['PRIVATE', 'SHARED']) })),
});

export const ServiceInfoResponse = z.DOCS && z.object({
  serviceInfo: z.object({
    version: z.string(),
    apiVersion: z.string(),
    service: z.literal('latchkey'),
    authTypes: z.array(z.string()),
    providers: z.array(z.enum(PROVIDER_IDS)),
  }),
});

export const AccessToken = z.DOCS && z.withMeta(z
  .object({ id: Id, name: z.string(), dateCreated: IsoDate, lastUsed: z.nullable(IsoDate), expiresAt: z.nullable(IsoDate) }), z.DOCS && { id: 'AccessToken' });
const TokenName = z
  .string({ error: mustBeString }).check(z.regex(/^[A-Za-z0-9_.-]{1,50}$/, "must be 1-50 characters of letters, digits, '.', '-' and '_'"));
export const CreateTokenBody = z.object({
  name: TokenName,
  expiresInDays: z.optional(z.number({ error: 'must be a number of days' }).check(z.int('must be a whole number of days')).check(z.gte(1)).check(z.lte(3650))),
});
export const CreateTokenResponse = z.DOCS && z.object({
  accessKey: z.withMeta(z.string(), z.DOCS && { description: 'The token itself; shown once, never again' }),
  token: AccessToken,
});
export const ListTokensResponse = z.DOCS && z.object({ tokens: z.array(AccessToken) });

// ---- administration (ADMIN_TOKEN) ----
const Slug = (what: string) =>
  z
    .string({ error: mustBeString }).check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,38}$/, `must be a ${what} name of 2-39 letters, digits, '-' and '_', starting with a letter or digit`));

export const CreateUserBody = z.object({
  userName: Slug('user'),
  email: z.string({ error: mustBeString }).check(z.trim()).check(z.toLowerCase()).check(z.email('must be an email address')),
  firstName: z.optional(z.nullable(z.string().check(z.maxLength(100)))),
  lastName: z.optional(z.nullable(z.string().check(z.maxLength(100)))),
});
export const CreateUserResponse = z.DOCS && z.object({ user: UserInfo });
export const CreateOrganizationBody = z.object({ name: Slug('organization'), fullName: z.optional(z.string().check(z.maxLength(200))) });
export const CreateOrganizationResponse = z.DOCS && z.object({ orgId: Id });
export const CreateWorkspaceBody = z.object({ name: Slug('workspace'), fullName: z.optional(z.string().check(z.maxLength(200))) });
export const CreateWorkspaceResponse = z.DOCS && z.object({ workspaceId: Id });
export const SetMembershipBody = z.object({ role: RoleSchema });
export const RotateResponse = z.DOCS && z.object({
  currentKeyVersion: z.string(),
  resealed: z.number().check(z.int()),
  alreadyCurrent: z.number().check(z.int()),
  remaining: z.withMeta(z.number().check(z.int()), z.DOCS && { description: 'Rows still under an older key (not counting failed ones)' }),
  failed: z.array(z.object({ kind: z.string(), id: Id, workspaceId: Id, message: z.string() })),
});

// ---- runs: secrets relayed to AWS Secrets Manager for the life of a pipeline run ----
export const RUN_STATES = ['launching', 'launched', 'running', 'succeeded', 'failed', 'launch_failed'] as const;
export const RUN_SECRET_STATES = ['pending', 'created', 'deleted', 'failed', 'not_created', 'abandoned'] as const;

export const LaunchRunBody = z.withMeta(z
  .object({
    target: z.withMeta(z.optional(z
      .enum(['aws', 'hpc'], { error: "must be 'aws' or 'hpc'" })), z.DOCS && { description: "'aws' (default): relay the secrets to AWS Secrets Manager. 'hpc': relay nothing; the head script downloads the run's secret store once (Slurm and other grid schedulers)" }),
    credentialsId: z.withMeta(z.optional(z
      .string({ error: mustBeString }).check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be the id of aws credentials in this workspace'))), z.DOCS && { description: "Required for target 'aws': the aws credentials of the compute environment's account" }),
    region: z.withMeta(z.optional(z
      .string({ error: mustBeString }).check(z.regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'must be an AWS region such as eu-west-1, the region of the compute environment'))), z.DOCS && { description: "Required for target 'aws'" }),
    downloadWindowMinutes: z.withMeta(z.optional(z
      .number({ error: 'must be a number of minutes' }).check(z.int('must be a whole number of minutes')).check(z.gte(1, 'must be at least 1')).check(z.lte(1440, 'must be at most 1440 (24 hours)'))), z.DOCS && { description: "target 'hpc': how long the single download of the secret store stays possible (default 60; the head job may wait in the queue)" }),
    secrets: z.withMeta(z.optional(z
      .array(z.string({ error: mustBeString }), { error: 'must be a list of pipeline secret names' }).check(z.maxLength(1000, 'may name at most 1000 secrets'))), z.DOCS && { description: 'Pipeline secret names to relay; absent means all you may use (user secrets override workspace secrets)' }),
    secretsPrefix: z.withMeta(z.optional(z
      .string({ error: mustBeString }).check(z.regex(/^[A-Za-z0-9/_+=.@-]{0,200}$/, "must be at most 200 characters of letters, digits and / _ + = . @ -"))), z.DOCS && { description: "Start of each AWS secret name, before the run id: one of the operator's RUN_SECRETS_PREFIXES or longer (default: the first of them, 'latchkey/')" }),
    ttlHours: z.withMeta(z.optional(z
      .number({ error: 'must be a number of hours' }).check(z.int('must be a whole number of hours')).check(z.gte(1, 'must be at least 1')).check(z.lte(24 * 30, 'must be at most 720 (30 days)'))), z.DOCS && { description: 'Delete the secrets after this long even if the run never reports completion (default RUN_SECRETS_TTL_HOURS; at most the operator’s RUN_SECRETS_MAX_TTL_HOURS)' }),
    runName: z.optional(z.string({ error: mustBeString }).check(z.maxLength(200, 'must be at most 200 characters'))),
    batchCliPath: z.withMeta(z.optional(z
      .string({ error: mustBeString }).check(z.regex(/^\/[A-Za-z0-9/._+-]{1,500}$/, 'must be an absolute path such as /home/ec2-user/miniconda/bin/aws (letters, digits and / . _ + -)'))), z.DOCS && { description: "Where the AWS CLI is inside AWS Batch task containers (Nextflow's aws.batch.cliPath); default /home/ec2-user/miniconda/bin/aws" }),
  }), z.DOCS && { id: 'LaunchRunRequest' });

// ---- relay targets: the AWS accounts (and roles) owners allow a workspace's secrets to be relayed to ----
export const AwsAccountId = z
  .string({ error: mustBeString }).check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id such as 123456789012'));
/** arn:aws:iam::123456789012:role/path/Name (also the aws-cn and aws-us-gov partitions). */
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
export const RoleArn = z
  .string({ error: mustBeString }).check(z.maxLength(2048, 'must be at most 2048 characters')).check(z.regex(ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/NextflowSecrets'));

export const SetRelayTargetBody = z.withMeta(z
  .object({
    accountId: z.withMeta(AwsAccountId, z.DOCS && { description: 'The AWS account that may receive this workspace’s secrets' }),
    roleArns: z.withMeta(z.optional(z
      .array(RoleArn, { error: 'must be a list of IAM role ARNs' }).check(z.maxLength(50, 'may list at most 50 roles'))), z.DOCS && { description: 'Only these roles in the account may receive them (absent or empty: any identity in the account)' }),
    description: z.optional(z.nullable(z.string({ error: mustBeString }).check(z.maxLength(500, 'must be at most 500 characters')))),
  }).check(z.superRefine((body, ctx) => {
    for (const [i, arn] of (body.roleArns ?? []).entries()) {
      const account = ROLE_ARN.exec(arn)?.[1];
      if (account && account !== body.accountId)
        ctx.addIssue({ code: 'custom', path: ['roleArns', i], message: `names a role in account ${account}, not in ${body.accountId}; list each account's roles under that account` });
    }
  })), z.DOCS && { id: 'SetRelayTargetRequest' });

export const RelayTarget = z.DOCS && z.withMeta(z
  .object({
    accountId: z.string(),
    roleArns: z.array(z.string()),
    description: z.nullable(z.string()),
    dateCreated: IsoDate,
    lastUpdated: IsoDate,
    createdBy: z.nullable(Id),
  }), z.DOCS && { id: 'RelayTarget' });
export type RelayTarget = z.infer<typeof RelayTarget>;
export const ListRelayTargetsResponse = z.DOCS && z.object({
  relayTargets: z.array(RelayTarget),
  hpc: z.withMeta(z.boolean(), z.DOCS && { description: "Whether owners allow Slurm/HPC runs (target 'hpc'), which download the run's secret store once" }),
});
export const SetRelayTargetResponse = z.DOCS && z.object({ relayTarget: RelayTarget });

/** One line of a run's ledger: which version of which secret went where, when, and when it was deleted (never a value). */
export const RunSecret = z.DOCS && z.object({
  name: z.string(),
  source: z.enum(['user', 'workspace']),
  version: z.withMeta(z.nullable(z.number().check(z.int())), z.DOCS && { description: "The pipeline secret's version that was relayed (it changes on every update); null for runs launched before versions were kept" }),
  awsName: z.string(),
  arn: z.nullable(z.string()),
  state: z.enum(RUN_SECRET_STATES),
  lastError: z.nullable(z.string()),
  updatedAt: IsoDate,
  deliveredAt: z.withMeta(z.nullable(IsoDate), z.DOCS && { description: 'When it was created in AWS Secrets Manager' }),
  deletedAt: z.withMeta(z.nullable(IsoDate), z.DOCS && { description: 'When it was deleted from AWS Secrets Manager' }),
});

export const Run = z.DOCS && z.withMeta(z
  .object({
    id: Id,
    workspaceId: Id,
    runName: z.nullable(z.string()),
    state: z.enum(RUN_STATES),
    target: z.enum(['aws', 'hpc']),
    region: z.withMeta(z.nullable(z.string()), z.DOCS && { description: "The AWS region; null for an 'hpc' run" }),
    credentialsId: z.withMeta(z.nullable(Id), z.DOCS && { description: "The aws credentials used; null for an 'hpc' run" }),
    download: z.withMeta(z.nullable(z
      .object({ expiresAt: IsoDate, downloadedAt: z.nullable(IsoDate) })), z.DOCS && { description: "An 'hpc' run's one secret-store download: until when it is possible, and when it happened" }),
    accountId: z.withMeta(z.nullable(z.string()), z.DOCS && { description: 'The AWS account that received the secrets (null for runs launched before accounts were recorded, or refused before any create)' }),
    roleArn: z.withMeta(z.nullable(z.string()), z.DOCS && { description: 'The role that received them; null when the credentials’ own keys did' }),
    launchedBy: z.nullable(Id),
    nextflowRunName: z.nullable(z.string()),
    dateCreated: IsoDate,
    startedAt: z.nullable(IsoDate),
    completedAt: z.nullable(IsoDate),
    expiresAt: z.withMeta(IsoDate, z.DOCS && { description: 'When the sweeper deletes the secrets if the run has not reported completion' }),
    cleanedAt: z.withMeta(z.nullable(IsoDate), z.DOCS && { description: 'When the last of its secrets was deleted from AWS' }),
    lastError: z.withMeta(z.nullable(z.string()), z.DOCS && { description: 'While secrets are left in AWS: how many, which, in which account and region, and why' }),
    cleanupAttempts: z.withMeta(z.number().check(z.int()), z.DOCS && { description: 'Sweeper attempts that failed to delete what is left' }),
    abandonedAt: z.withMeta(z.nullable(IsoDate), z.DOCS && { description: 'When the sweeper gave up after repeated failed cleanups; lastError then says what may remain in AWS and how to delete it' }),
    nextAttemptAt: z.withMeta(z.nullable(IsoDate), z.DOCS && { description: 'The sweeper retries no earlier than this (exponential backoff)' }),
    secrets: z.array(RunSecret),
  }), z.DOCS && { id: 'Run' });
export type Run = z.infer<typeof Run>;

export const LaunchKit = z.DOCS && z.withMeta(z
  .object({
    target: z.enum(['aws', 'hpc']),
    config: z.withMeta(z.string(), z.DOCS && {
      description:
        "nextflow.config lines: weblog to this run's completion URL with the run token as basicToken (not in the URL), the region, aws.batch.cliPath, and a process.beforeScript giving each AWS Batch task the secrets it declares",
    }),
    env: z.withMeta(z.record(z.string(), z.string()), z.DOCS && { description: 'Environment for the head job: NXF_SECRETS_FILE (where the head script writes the store), AWS_REGION, LATCHKEY_RUN' }),
    headScript: z.withMeta(z.string(), z.DOCS && {
      description:
        "bash for the head job. aws: writes Nextflow's secret store (0600) from Secrets Manager with the AWS CLI; no value on any command line. hpc: downloads the store once into a 0700 per-run directory, runs the command it is given (nextflow run …), removes the directory afterwards",
    }),
    taskScript: z.withMeta(z.string(), z.DOCS && { description: "aws: the bash the beforeScript runs in each Batch task for the names in $LATCHKEY_SECRETS (for reading; it is already in config). hpc: empty (grid executors give tasks the secrets from the store)" }),
    weblogOption: z.withMeta(z.string(), z.DOCS && { description: 'The older form, -with-weblog with the token in the URL (Nextflow logs URLs): prefer config' }),
  }), z.DOCS && { id: 'LaunchKit' });

export const LaunchRunResponse = z.DOCS && z.object({
  run: Run,
  completionUrl: z.withMeta(z.string(), z.DOCS && { description: 'The older completion URL with the token in it (still accepted); the launch kit posts to the same path with the token as Basic auth' }),
  nextflow: LaunchKit,
  subrequests: z.object({
    ceiling: z.number().check(z.int()),
    planned: z.withMeta(z.number().check(z.int()), z.DOCS && { description: 'AWS calls a launch makes: one CreateSecret per secret, plus STS AssumeRole when the credentials name a role, plus STS GetCallerIdentity when their account is not known yet' }),
    reservedForRollback: z.number().check(z.int()),
    used: z.number().check(z.int()),
  }),
});
export const ListRunsResponse = z.DOCS && z.object({ runs: z.array(Run) });
export const LaunchKitResponse = z.DOCS && z.object({ nextflow: LaunchKit, completionUrl: z.string() });
export const DescribeRunResponse = z.DOCS && z.object({ run: Run });
export const CompleteRunBody = z.withMeta(z.object({ success: z.optional(z.boolean({ error: 'must be true or false' })) }), z.DOCS && { id: 'CompleteRunRequest' });

/** Nextflow's weblog event (`-with-weblog`): only what Latchkey reads; everything else is accepted as is. */
export const WeblogEvent = z.withMeta(z
  .looseObject({
    event: z.string({ error: mustBeString }).check(z.maxLength(64, 'must be at most 64 characters')),
    runName: z.optional(z.string().check(z.maxLength(200))),
    runId: z.optional(z.string().check(z.maxLength(100))),
    utcTime: z.optional(z.string().check(z.maxLength(64))),
    metadata: z.optional(z.nullable(z
      .looseObject({
        workflow: z.optional(z.looseObject({ success: z.optional(z.nullable(z.boolean())), errorMessage: z.optional(z.nullable(z.string())) })),
      }))),
  }), z.DOCS && { id: 'WeblogEvent' });
export const WeblogResponse = z.DOCS && z.object({ event: z.string(), handled: z.boolean(), state: z.enum(RUN_STATES), secretsLeft: z.number().check(z.int()) });

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
  z.withMeta(z.optional(z.coerceNumber({ error: `must be a whole number from 1 to ${PAGE_MAX}` }).check(z.int(`must be a whole number from 1 to ${PAGE_MAX}`)).check(z.gte(1, `must be at least 1 (the most rows in one page)`)).check(z.lte(PAGE_MAX, `must be at most ${PAGE_MAX}; fetch further pages with offset`))), z.DOCS && { description: `The most rows to answer, 1 to ${PAGE_MAX}. ${hint}` });
const pageOffset = z.withMeta(z.optional(z.coerceNumber({ error: 'must be a whole number, 0 or more' }).check(z.int('must be a whole number, 0 or more')).check(z.gte(0, 'must be 0 or more (rows to skip)')).check(z.lte(1_000_000_000, 'must be at most 1000000000'))), z.DOCS && { description: 'Rows to skip before the page; default 0' });

// The two shapes as plain objects, which the queries below extend: reading `.shape` off a schema is a property access
// the extension's bundler must keep (a getter, for all it knows), and with it every schema it reads from.
const optionalPageShape = { max: pageMax('Left out: the whole list (as Seqera answers it).'), offset: pageOffset };
const pageShape = { max: pageMax(`Left out: ${PAGE_DEFAULT}.`), offset: pageOffset };
/** Optional paging of a list Seqera answers whole: left out, the whole list. */
export const OptionalPageQuery = z.object(optionalPageShape);
/** Paging of a list of Latchkey's own: left out, the first PAGE_DEFAULT rows. */
export const PageQuery = z.object(pageShape);

const TotalSize = z.DOCS && z.withMeta(z.number().check(z.int()), z.DOCS && { description: 'How many rows the whole list has (the page may have fewer)' });
export const ListCredentialsQueryPaged = z.extend(ListCredentialsQuery, optionalPageShape);
export const SecretsListQuery = z.extend(WorkspaceQuery, optionalPageShape);
export const WorkspacePageQuery = z.extend(WorkspaceQuery, pageShape);
export const ListCredentialsPage = z.DOCS && z.extend(ListCredentialsResponse, { totalSize: TotalSize });
export const ListWorkspacesPage = z.DOCS && z.extend(ListWorkspacesResponse, { totalSize: TotalSize });
export const ListOrgsAndWorkspacesPage = z.DOCS && z.extend(ListOrgsAndWorkspacesResponse, { totalSize: TotalSize });
export const ListOrgWorkspacesPage = z.DOCS && z.extend(ListOrgWorkspacesResponse, { totalSize: TotalSize });
export const ListTokensPage = z.DOCS && z.extend(ListTokensResponse, { totalSize: TotalSize });
export const ListRunsPage = z.DOCS && z.extend(ListRunsResponse, { totalSize: TotalSize });
export const ListRelayTargetsPage = z.DOCS && z.extend(ListRelayTargetsResponse, { totalSize: TotalSize });
