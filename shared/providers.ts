/**
 * The credentials provider catalogue: every provider Seqera's API knows, with its `keys` fields as zod schemas.
 * One source of truth: the worker validates with these schemas, the OpenAPI document is generated from them,
 * and the extension builds its forms from them (each field's label, help and secrecy live in `.meta()`).
 * Field titles, help and provider labels are `HELP && …` (shared/docs.ts): only the document and the extension's
 * forms show them; the worker's bundle keeps what it reads, each field's secrecy (`x-secret`), category and baseUrl.
 */
import { HELP } from './docs';
import * as z from './z';
import { mustBeString } from './names';
import { registryFormProblem } from './registry';

export type FieldMeta = {
  title: string;
  description?: string;
  'x-secret'?: boolean;
  'x-multiline'?: boolean;
  'x-placeholder'?: string;
  'x-generate'?: 'uuid';
};

const publicText = (meta: FieldMeta | false, max = 1024) =>
  z.withMeta(z.string({ error: 'must be a string' }).check(z.trim()).check(z.maxLength(max, `must be at most ${max} characters`)), meta);
const requiredText = (meta: FieldMeta | false, max = 1024) =>
  z.withMeta(z.string({ error: mustBeString }).check(z.trim()).check(z.minLength(1, 'is required')).check(z.maxLength(max, `must be at most ${max} characters`)), meta);
const secretText = (meta: FieldMeta | false, max = 65_536) =>
  z.withMeta(z
    .string({ error: mustBeString }).check(z.minLength(1, 'must not be empty')).check(z.maxLength(max, `must be at most ${max} characters`)), { ...meta, 'x-secret': true });

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]+-----END [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

const httpUrl = (meta: FieldMeta | false) =>
  z.withMeta(z
    .string({ error: 'must be a string' }).check(z.trim()).check(z.maxLength(2048, 'must be at most 2048 characters'))
    .check((ctx) => {
      if (ctx.value === '') return;
      let ok = false;
      try {
        const u = new URL(ctx.value);
        ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
      } catch {
        ok = false;
      }
      if (!ok) ctx.issues.push({ code: 'custom', message: 'must be an http(s) URL such as https://git.example.com, without user or password', input: ctx.value });
    }), meta);

const googleServiceAccount = secretText(HELP && {
  title: 'Service account key (JSON)',
  description: 'The JSON key file of a Google Cloud service account.',
  'x-multiline': true,
}).check((ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.value);
  } catch {
    ctx.issues.push({ code: 'custom', message: 'must be the JSON key file of a service account; it is not valid JSON', input: '' });
    return;
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  const missing = ['type', 'client_email', 'private_key'].filter((k) => typeof o[k] !== 'string');
  if (missing.length > 0 || o.type !== 'service_account')
    ctx.issues.push({
      code: 'custom',
      message: `must be a service account key file (type "service_account" with client_email and private_key)${missing.length ? `; missing ${missing.join(', ')}` : ''}`,
      input: '',
    });
});

const gitUser = (title = 'User name') => requiredText(HELP && { title, description: 'The account the token belongs to.' }, 256);
const gitPassword = (meta: FieldMeta | false) => secretText(meta, 4096);

const gitToken = (service: string) => z.optional(gitPassword(HELP && { title: 'Token', description: `A ${service} access token; send it here or as the password.` }));

/** Seqera does not check an access key's form (tw's own examples use placeholders); only that it is one token. */
const accessKey = z.withMeta(z
  .string({ error: mustBeString }).check(z.trim()).check(z.regex(/^\S{1,128}$/, 'must be an access key ID such as AKIA…: 1-128 characters without spaces')), HELP && { title: 'Access key', 'x-placeholder': 'AKIA…' });

const roleArn = z
  .string({ error: 'must be a string' }).check(z.trim()).check(z.regex(/^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512})?$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/NextflowRunner, or empty'));

/** AWS keys as Seqera defines them (also Seqera Compute's): long-term keys, optionally assuming a role, or a role alone. */
const awsKeys = (provider: 'aws' | 'seqeracompute') =>
  z.strictObject({
    accessKey: z.optional(accessKey),
    secretKey: z.optional(secretText(HELP && { title: 'Secret key' }, 128)),
    assumeRoleArn: z.optional(z.withMeta(roleArn, HELP && { title: 'Assume role ARN', description: provider === 'aws' ? 'Optional with keys: a role these keys assume before use. Required in role mode.' : 'The role Seqera Compute assumes.' })),
    mode: z.optional(z.withMeta(z
      .enum(['keys', 'role'], { error: "must be 'keys' (access key and secret key) or 'role' (a role Latchkey assumes with its own identity)" }), HELP && { title: 'Mode', description: "'keys' (default): an access key and secret key, optionally assuming a role. 'role': only a role ARN, which Latchkey's platform identity assumes." })),
    externalId: z.optional(publicText(
      HELP && { title: 'External ID', description: "The sts:ExternalId the role's trust policy requires. Role mode: generated by Latchkey, never chosen. Keys mode: yours, or generated with ?useExternalId=true." },
      1224,
    )),
  });

const azureAccount = (title: string) =>
  z.withMeta(z
    .string({ error: mustBeString }).check(z.trim()).check(z.regex(/^[a-z0-9]{3,24}$/, `must be an Azure ${title.toLowerCase()}: 3-24 lowercase letters and digits`)), HELP && { title });

/** Azure with an Entra ID service principal (tenant, client id and secret) instead of account keys. */
const azureEntraShape = {
  tenantId: requiredText(HELP && { title: 'Tenant ID', description: 'The Entra ID (Azure AD) tenant of the service principal.' }, 64),
  clientId: requiredText(HELP && { title: 'Client ID', description: 'The application (client) id of the service principal.' }, 64),
  clientSecret: secretText(HELP && { title: 'Client secret' }, 1024),
  batchName: azureAccount('Batch account name'),
  storageName: azureAccount('Storage account name'),
  batchKey: z.optional(secretText(HELP && { title: 'Batch account key', description: 'Not needed with a service principal; accepted as Seqera does.' }, 512)),
  storageKey: z.optional(secretText(HELP && { title: 'Storage account key', description: 'Not needed with a service principal; accepted as Seqera does.' }, 512)),
};

/** The `keys` of every provider, as submitted on create (secret fields are optional on update). */
export const providerKeys = {
  aws: awsKeys('aws'),
  azure: z.strictObject({
    batchName: azureAccount('Batch account name'),
    storageName: azureAccount('Storage account name'),
    batchKey: secretText(HELP && { title: 'Batch account key' }, 512),
    storageKey: secretText(HELP && { title: 'Storage account key' }, 512),
  }),
  azure_entra: z.strictObject(azureEntraShape),
  'azure-cloud': z.strictObject({
    ...azureEntraShape,
    subscriptionId: z.optional(z.withMeta(z
      .string({ error: mustBeString }).check(z.trim()).check(z.uuid('must be an Azure subscription id (a UUID)')), HELP && { title: 'Subscription ID' })),
  }),
  google: z.strictObject({
    data: z.optional(googleServiceAccount),
    serviceAccountEmail: z.optional(publicText(HELP && { title: 'Service account email', description: 'Workload identity federation: the service account to impersonate (instead of a key file).' }, 320)),
    workloadIdentityProvider: z.optional(publicText(HELP && { title: 'Workload identity provider', description: 'Workload identity federation: projects/…/locations/global/workloadIdentityPools/…/providers/….' }, 1024)),
    tokenAudience: z.optional(publicText(HELP && { title: 'Token audience', description: 'Workload identity federation: the audience of the identity token (optional).' }, 1024)),
  }),
  k8s: z.strictObject({
    certificate: z.optional(secretText(HELP && { title: 'Client certificate', description: 'PEM; use with a private key instead of a token.', 'x-multiline': true }).check(z.regex(PEM_CERTIFICATE, 'must be a PEM certificate (-----BEGIN CERTIFICATE----- …)'))),
    privateKey: z.optional(secretText(HELP && { title: 'Client private key', description: 'PEM, paired with the certificate.', 'x-multiline': true }).check(z.regex(PEM_PRIVATE_KEY, 'must be a PEM private key (-----BEGIN … PRIVATE KEY----- …)'))),
    token: z.optional(secretText(HELP && { title: 'Service account token', description: 'Use a token, or a certificate with its private key.' }, 16_384)),
  }),
  ssh: z.strictObject({
    privateKey: secretText(HELP && { title: 'SSH private key', description: 'PEM or OpenSSH format.', 'x-multiline': true }, 16_384).check(z.regex(PEM_PRIVATE_KEY, 'must be a private key in PEM or OpenSSH form (-----BEGIN … PRIVATE KEY----- …)')),
    passphrase: z.optional(secretText(HELP && { title: 'Passphrase', description: 'Only if the key is encrypted.' }, 1024)),
  }),
  github: z.strictObject({
    username: gitUser(),
    password: z.optional(gitPassword(HELP && { title: 'Access token', description: 'A GitHub personal access token (classic or fine-grained).' })),
    token: gitToken('GitHub'),
  }),
  github_app: z.strictObject({
    appId: requiredText(HELP && { title: 'App ID', description: 'The numeric id of the GitHub App.' }, 64),
    clientId: z.optional(publicText(HELP && { title: 'Client ID', description: 'The GitHub App client id (Iv1.…), if you use its OAuth flow.' }, 256)),
    slug: z.optional(publicText(HELP && { title: 'App slug', description: 'The URL-friendly name of the app.' }, 256)),
    privateKey: secretText(HELP && { title: 'Private key', description: 'The PEM private key generated for the app.', 'x-multiline': true }, 16_384).check(z.regex(PEM_PRIVATE_KEY, 'must be a PEM private key (-----BEGIN … PRIVATE KEY----- …)')),
    clientSecret: z.optional(secretText(HELP && { title: 'Client secret', description: 'Only for the OAuth flow.' }, 1024)),
    webhookSecret: z.optional(secretText(HELP && { title: 'Webhook secret', description: 'Only if the app receives webhooks.' }, 1024)),
  }),
  gitlab: z.strictObject({
    username: gitUser(),
    password: z.optional(gitPassword(HELP && { title: 'Password', description: 'Optional; the token is what GitLab uses for API and clone access.' })),
    token: gitPassword(HELP && { title: 'Access token', description: 'A GitLab personal, project or group access token.' }),
  }),
  gitea: z.strictObject({
    username: gitUser(),
    password: z.optional(gitPassword(HELP && { title: 'Password or token', description: 'A Gitea password or access token.' })),
    token: gitToken('Gitea'),
  }),
  bitbucket: z.strictObject({
    username: gitUser(),
    password: z.optional(gitPassword(HELP && { title: 'App password or API token', description: 'A Bitbucket app password or API token.' })),
    token: gitToken('Bitbucket'),
  }),
  azurerepos: z.strictObject({
    username: gitUser(),
    password: z.optional(gitPassword(HELP && { title: 'Personal access token', description: 'An Azure DevOps personal access token with Code (read) scope.' })),
    token: gitToken('Azure DevOps'),
  }),
  codecommit: z.strictObject({
    username: gitUser('Access key'),
    password: z.optional(gitPassword(HELP && { title: 'Secret key', description: 'The secret access key (or Git credentials password) for CodeCommit.' })),
    token: gitToken('CodeCommit'),
  }),
  'container-reg': z.strictObject({
    userName: requiredText(HELP && { title: 'User name', description: 'Docker Hub: your user name. Quay: the robot account, namespace+name.' }, 256),
    password: secretText(HELP && { title: 'Password or access token', description: 'Docker Hub: a read-only personal access token. Quay: the robot token.' }, 4096),
    registry: z.optional(z.withMeta(z
      .string({ error: 'must be a string' }).check(z.trim()).check(z.maxLength(300, 'must be at most 300 characters'))
      .check((ctx) => {
        const problem = registryFormProblem(ctx.value);
        if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      }), HELP && { title: 'Registry server', description: 'Host only; empty means docker.io.', 'x-placeholder': 'docker.io' })),
  }),
  'tw-agent': z.strictObject({
    connectionId: z.withMeta(z
      .string({ error: mustBeString }).check(z.trim()).check(z.minLength(1, 'is required: the id the agent was started with (tw-agent <id>); Generate makes a UUID')).check(z.maxLength(256, 'must be at most 256 characters')), HELP && { title: 'Agent connection ID', 'x-generate': 'uuid' }),
    workDir: z.optional(publicText(HELP && { title: 'Work directory', description: 'Optional: the agent host path for the pipeline work directory.' }, 1024)),
    shared: z.optional(z.withMeta(z
      .boolean({ error: 'must be true or false' }), HELP && { title: 'Shared agent', description: 'Organization workspaces only: one agent for all members.' })),
  }),
  seqeracompute: awsKeys('seqeracompute'),
  s3: z.strictObject({
    accessKey: requiredText(HELP && { title: 'Access key' }, 128),
    secretKey: secretText(HELP && { title: 'Secret key' }, 256),
    pathStyleAccessEnabled: z.optional(z.withMeta(z
      .boolean({ error: 'must be true or false' }), HELP && { title: 'Path-style access', description: 'Address buckets as endpoint/bucket rather than bucket.endpoint (MinIO and most self-hosted stores).' })),
  }),
} as const;

export type ProviderId = keyof typeof providerKeys;
export const PROVIDER_IDS = Object.keys(providerKeys) as [ProviderId, ...ProviderId[]];
export type ProviderKeys<P extends ProviderId> = z.infer<(typeof providerKeys)[P]>;

export type Category = 'cloud' | 'git' | 'registry' | 'agent' | 'ssh' | 'k8s';

export interface ProviderInfo {
  id: ProviderId;
  label: string;
  category: Category;
  /** Whether the credentials may carry a `baseUrl` (self-hosted git servers). */
  baseUrl: boolean;
  hint?: string;
}

export const providers: Record<ProviderId, ProviderInfo> = {
  aws: { id: 'aws', category: 'cloud', baseUrl: false, ...(HELP && { label: 'Amazon Web Services' }) },
  azure: { id: 'azure', category: 'cloud', baseUrl: false, ...(HELP && { label: 'Azure Batch' }) },
  azure_entra: { id: 'azure_entra', category: 'cloud', baseUrl: false, ...(HELP && { label: 'Azure (Entra ID service principal)' }) },
  'azure-cloud': { id: 'azure-cloud', category: 'cloud', baseUrl: false, ...(HELP && { label: 'Azure Cloud' }) },
  google: { id: 'google', category: 'cloud', baseUrl: false, ...(HELP && { label: 'Google Cloud' }) },
  k8s: { id: 'k8s', category: 'k8s', baseUrl: false, ...(HELP && { label: 'Kubernetes' }) },
  ssh: { id: 'ssh', category: 'ssh', baseUrl: false, ...(HELP && { label: 'SSH' }) },
  github: { id: 'github', category: 'git', baseUrl: true, ...(HELP && { label: 'GitHub', hint: 'baseUrl only for GitHub Enterprise Server.' }) },
  github_app: { id: 'github_app', category: 'git', baseUrl: true, ...(HELP && { label: 'GitHub App', hint: 'baseUrl only for GitHub Enterprise Server.' }) },
  gitlab: { id: 'gitlab', category: 'git', baseUrl: true, ...(HELP && { label: 'GitLab', hint: 'baseUrl only for a self-managed GitLab.' }) },
  gitea: { id: 'gitea', category: 'git', baseUrl: true, ...(HELP && { label: 'Gitea' }) },
  bitbucket: { id: 'bitbucket', category: 'git', baseUrl: true, ...(HELP && { label: 'Bitbucket' }) },
  azurerepos: { id: 'azurerepos', category: 'git', baseUrl: true, ...(HELP && { label: 'Azure Repos' }) },
  codecommit: { id: 'codecommit', category: 'git', baseUrl: true, ...(HELP && { label: 'AWS CodeCommit', hint: 'baseUrl is the repository region endpoint, such as https://git-codecommit.eu-west-1.amazonaws.com.' }) },
  'container-reg': {
    id: 'container-reg',
    category: 'registry',
    baseUrl: false,
    ...(HELP && { label: 'Container registry', hint: 'Docker Hub: use a read-only personal access token. Quay: use a robot account (namespace+name) and its token.' }),
  },
  'tw-agent': { id: 'tw-agent', category: 'agent', baseUrl: false, ...(HELP && { label: 'Tower Agent' }) },
  seqeracompute: {
    id: 'seqeracompute',
    category: 'cloud',
    baseUrl: false,
    ...(HELP && { label: 'Seqera Compute', hint: "Stored for Seqera's tools; Latchkey relays run secrets only with 'aws' credentials." }),
  },
  s3: { id: 's3', category: 'cloud', baseUrl: true, ...(HELP && { label: 'S3-compatible storage', hint: 'baseUrl is the endpoint of the S3-compatible store, such as https://minio.example.com.' }) },
};

export type FieldInfo = FieldMeta & {
  name: string;
  secret: boolean;
  required: boolean;
  kind: 'text' | 'boolean';
};

function unwrapOptional(schema: z.ZodMiniType): { inner: z.ZodMiniType; optional: boolean } {
  return schema instanceof z.ZodMiniOptional ? { inner: schema.def.innerType as z.ZodMiniType, optional: true } : { inner: schema, optional: false };
}

/** The fields of a provider's keys in form order, read from the zod schemas' metadata. */
export function providerFields(provider: ProviderId): FieldInfo[] {
  const shape = providerKeys[provider].shape as Record<string, z.ZodMiniType>;
  return Object.entries(shape).map(([name, schema]) => {
    const { inner, optional } = unwrapOptional(schema);
    const meta = (z.globalRegistry.get(schema) ?? z.globalRegistry.get(inner) ?? { title: name }) as FieldMeta;
    return {
      ...meta,
      name,
      secret: meta['x-secret'] === true,
      required: !optional,
      kind: inner instanceof z.ZodMiniBoolean ? 'boolean' : 'text',
    };
  });
}

/** Names of the secret fields of a provider: sealed in the vault, never returned. */
export function secretFieldNames(provider: ProviderId): string[] {
  return providerFields(provider)
    .filter((f) => f.secret)
    .map((f) => f.name);
}

/**
 * Where a provider's secret fields are sent, and which fields decide it: a registry host, a server URL, the account
 * an access key or role belongs to. A change to any of those fields needs the secret fields sent again in the same
 * request (an editor may change where a secret goes, never send a stored one somewhere new). Field names are as in
 * the request body: `keys.x` for a key, `baseUrl` for the top-level server URL. New providers add a line here.
 */
export function secretDestination(provider: ProviderId): { decidedBy: string[]; secrets: string[] } | null {
  if (provider === 'container-reg') return { decidedBy: ['keys.registry'], secrets: ['password'] };
  if (provider === 'aws' || provider === 'seqeracompute')
    return { decidedBy: ['keys.accessKey', 'keys.assumeRoleArn'], secrets: ['secretKey'] };
  if (provider === 'azure') return { decidedBy: ['keys.batchName', 'keys.storageName'], secrets: ['batchKey', 'storageKey'] };
  if (provider === 'azure_entra' || provider === 'azure-cloud')
    return {
      decidedBy: ['keys.tenantId', 'keys.clientId', 'keys.batchName', 'keys.storageName', ...(provider === 'azure-cloud' ? ['keys.subscriptionId'] : [])],
      secrets: ['clientSecret', 'batchKey', 'storageKey'],
    };
  if (provider === 'github_app') return { decidedBy: ['baseUrl', 'keys.appId', 'keys.clientId'], secrets: ['privateKey', 'clientSecret', 'webhookSecret'] };
  if (provider === 's3') return { decidedBy: ['baseUrl', 'keys.accessKey'], secrets: ['secretKey'] };
  if (providers[provider].baseUrl) return { decidedBy: ['baseUrl'], secrets: secretFieldNames(provider) };
  return null;
}

/**
 * Rules that span fields, checked on the complete keys (after an update has been merged with what is stored).
 * Returns [field, message] pairs.
 */
export function crossFieldProblems(provider: ProviderId, keys: Record<string, unknown>): Array<[string, string]> {
  const given = (f: string) => typeof keys[f] === 'string' && keys[f] !== '';
  if (provider === 'aws' || provider === 'seqeracompute') {
    if (keys.mode === 'role') {
      if (!given('assumeRoleArn')) return [['assumeRoleArn', "is required in role mode: the IAM role Latchkey assumes (or use mode 'keys' with an access key and secret key)"]];
      if (given('accessKey') || given('secretKey')) return [[given('accessKey') ? 'accessKey' : 'secretKey', "must be left out in role mode: the role is assumed with Latchkey's own identity; use mode 'keys' to assume it with these keys"]];
    } else {
      if (!given('accessKey')) return [['accessKey', "is required (or set mode to 'role' with an assumeRoleArn)"]];
      if (!given('secretKey')) return [['secretKey', "is required (or set mode to 'role' with an assumeRoleArn)"]];
    }
  }
  if (provider === 'google' && !given('data') && !(given('serviceAccountEmail') && given('workloadIdentityProvider')))
    return [['data', 'is required: a service account key file, or serviceAccountEmail with workloadIdentityProvider for workload identity federation']];
  if (['github', 'gitea', 'bitbucket', 'azurerepos', 'codecommit'].includes(provider) && !given('password') && !given('token'))
    return [['password', 'is required: the access token, as password or as token']];
  if (provider === 'k8s') {
    const hasToken = typeof keys.token === 'string' && keys.token !== '';
    const hasCert = typeof keys.certificate === 'string' && keys.certificate !== '';
    const hasKey = typeof keys.privateKey === 'string' && keys.privateKey !== '';
    if (!hasToken && !hasCert && !hasKey) return [['token', 'is required unless a certificate and private key are given']];
    if (hasCert !== hasKey) return [[hasCert ? 'privateKey' : 'certificate', 'must be given together with the ' + (hasCert ? 'certificate' : 'private key')]];
  }
  return [];
}

/**
 * Seqera's compute platforms (`platformId` on GET /credentials) and the credentials providers each can use, so
 * `tw credentials list` filtered by a platform lists what Seqera would. A provider id is accepted too, as itself.
 */
export const COMPUTE_PLATFORMS = {
  'aws-batch': ['aws'],
  'aws-cloud': ['aws'],
  'eks-platform': ['aws'],
  'google-batch': ['google'],
  'google-lifesciences': ['google'],
  'google-cloud': ['google'],
  'gke-platform': ['google'],
  'azure-batch': ['azure', 'azure_entra'],
  'azure-cloud': ['azure-cloud'],
  'k8s-platform': ['k8s'],
  'slurm-platform': ['ssh', 'tw-agent'],
  'lsf-platform': ['ssh', 'tw-agent'],
  'uge-platform': ['ssh', 'tw-agent'],
  'altair-platform': ['ssh', 'tw-agent'],
  'moab-platform': ['ssh', 'tw-agent'],
  'local-platform': ['tw-agent'],
  'seqeracompute-platform': ['seqeracompute'],
} as const satisfies Record<string, readonly ProviderId[]>;

export const PLATFORM_IDS = [...new Set([...Object.keys(COMPUTE_PLATFORMS), ...PROVIDER_IDS])] as [string, ...string[]];

/** The providers whose credentials a platform (or a provider id) selects. */
export function providersForPlatform(platformId: string): ProviderId[] {
  if (Object.hasOwn(COMPUTE_PLATFORMS, platformId)) return [...COMPUTE_PLATFORMS[platformId as keyof typeof COMPUTE_PLATFORMS]];
  return (PROVIDER_IDS as string[]).includes(platformId) ? [platformId as ProviderId] : [];
}
