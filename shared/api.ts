/**
 * Request and response shapes of the worker's API (Seqera-compatible where Seqera has the call).
 * The worker validates with these schemas and generates /openapi.json from them; the extension's types come from them.
 */
import { z } from 'zod';
import { CredentialsName, mustBeString, SecretName, SecretValue } from './names';
import { PROVIDER_IDS, type ProviderId, providerKeys, providers, secretFieldNames } from './providers';
import { ROLES } from './roles';

/** zod error for a choice: "is required" when absent, else the allowed values. */
const oneOf = (values: readonly string[]) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is required: one of ${values.join(', ')}` : `must be one of ${values.join(', ')}`;

export const ErrorBody = z.object({ message: z.string() }).meta({ id: 'Error' });

const Id = z.string().meta({ description: 'Opaque identifier' });
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

/** Fields a client may echo back from a GET; accepted and ignored. */
const readOnlyEcho = {
  id: z.string().optional(),
  category: z.unknown().optional(),
  dateCreated: z.unknown().optional(),
  lastUpdated: z.unknown().optional(),
  lastUsed: z.unknown().optional(),
  checked: z.unknown().optional(),
  deleted: z.unknown().optional(),
};

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
    baseUrl: baseUrlField(provider),
    keys: keys.extend({ discriminator: z.literal(provider, { error: `must be '${provider}', the provider` }).optional() }),
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

export const Credentials = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().nullable(),
    provider: z.enum(PROVIDER_IDS),
    baseUrl: z.string().nullable(),
    category: z.string(),
    dateCreated: IsoDate,
    lastUpdated: IsoDate,
    lastUsed: IsoDate.nullable(),
    keys: CredentialsKeysOut,
  })
  .meta({ id: 'Credentials' });
export type Credentials = z.infer<typeof Credentials>;

export const ListCredentialsQuery = WorkspaceQuery.extend({
  platformId: z.enum(PROVIDER_IDS, { error: oneOf(PROVIDER_IDS) }).optional(),
});
export const ListCredentialsResponse = z.object({ credentials: z.array(Credentials) });
export const DescribeCredentialsResponse = z.object({ credentials: Credentials });
export const CreateCredentialsResponse = z.object({ credentialsId: Id });
export const ValidateNameQuery = WorkspaceQuery.extend({ name: z.string({ error: 'is required' }) });

export const PipelineSecret = z
  .object({ id: Id, name: z.string(), dateCreated: IsoDate, lastUpdated: IsoDate, lastUsed: IsoDate.nullable() })
  .meta({ id: 'PipelineSecret' });
export type PipelineSecret = z.infer<typeof PipelineSecret>;
export const CreateSecretBody = z.object({ name: SecretName, value: SecretValue }).meta({ id: 'CreatePipelineSecretRequest' });
export const UpdateSecretBody = z.object({ value: SecretValue }).meta({ id: 'UpdatePipelineSecretRequest' });
export const ListSecretsResponse = z.object({ pipelineSecrets: z.array(PipelineSecret), totalSize: z.number().int() });
export const DescribeSecretResponse = z.object({ pipelineSecret: PipelineSecret });
export const CreateSecretResponse = z.object({ secretId: Id });

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
export const UserInfoResponse = z.object({ user: UserInfo, needConsent: z.boolean(), defaultWorkspaceId: Id.nullable() });

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
