/**
 * The credentials provider catalogue: every provider Seqera's API knows, with its `keys` fields as zod schemas.
 * One source of truth: the worker validates with these schemas, the OpenAPI document is generated from them,
 * and the extension builds its forms from them (each field's label, help and secrecy live in `.meta()`).
 */
import { z } from 'zod';
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

const publicText = (meta: FieldMeta, max = 1024) =>
  z.string({ error: 'must be a string' }).trim().max(max, `must be at most ${max} characters`).meta(meta);
const requiredText = (meta: FieldMeta, max = 1024) =>
  z.string({ error: mustBeString }).trim().min(1, 'is required').max(max, `must be at most ${max} characters`).meta(meta);
const secretText = (meta: FieldMeta, max = 65_536) =>
  z
    .string({ error: mustBeString })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .meta({ ...meta, 'x-secret': true });

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]+-----END [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

const httpUrl = (meta: FieldMeta) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .max(2048, 'must be at most 2048 characters')
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
    })
    .meta(meta);

const googleServiceAccount = secretText({
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

const gitUser = (title = 'User name') => requiredText({ title, description: 'The account the token belongs to.' }, 256);
const gitPassword = (title: string, description: string) => secretText({ title, description }, 4096);

/** The `keys` of every provider, as submitted on create (secret fields are optional on update). */
export const providerKeys = {
  aws: z.strictObject({
    accessKey: z
      .string({ error: mustBeString })
      .trim()
      .regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key ID: 16-128 capital letters and digits, such as AKIA…')
      .meta({ title: 'Access key', 'x-placeholder': 'AKIA…' }),
    secretKey: secretText({ title: 'Secret key' }, 128),
    assumeRoleArn: z
      .string({ error: 'must be a string' })
      .trim()
      .regex(/^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512})?$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/NextflowRunner, or empty')
      .meta({ title: 'Assume role ARN', description: 'Optional: a role these keys assume before use.' })
      .optional(),
  }),
  azure: z.strictObject({
    batchName: z
      .string({ error: mustBeString })
      .trim()
      .regex(/^[a-z0-9]{3,24}$/, 'must be a Batch account name: 3-24 lowercase letters and digits')
      .meta({ title: 'Batch account name' }),
    storageName: z
      .string({ error: mustBeString })
      .trim()
      .regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name: 3-24 lowercase letters and digits')
      .meta({ title: 'Storage account name' }),
    batchKey: secretText({ title: 'Batch account key' }, 512),
    storageKey: secretText({ title: 'Storage account key' }, 512),
  }),
  google: z.strictObject({ data: googleServiceAccount }),
  k8s: z.strictObject({
    certificate: secretText({ title: 'Client certificate', description: 'PEM; use with a private key instead of a token.', 'x-multiline': true })
      .regex(PEM_CERTIFICATE, 'must be a PEM certificate (-----BEGIN CERTIFICATE----- …)')
      .optional(),
    privateKey: secretText({ title: 'Client private key', description: 'PEM, paired with the certificate.', 'x-multiline': true })
      .regex(PEM_PRIVATE_KEY, 'must be a PEM private key (-----BEGIN … PRIVATE KEY----- …)')
      .optional(),
    token: secretText({ title: 'Service account token', description: 'Use a token, or a certificate with its private key.' }, 16_384).optional(),
  }),
  ssh: z.strictObject({
    privateKey: secretText({ title: 'SSH private key', description: 'PEM or OpenSSH format.', 'x-multiline': true }, 16_384).regex(
      PEM_PRIVATE_KEY,
      'must be a private key in PEM or OpenSSH form (-----BEGIN … PRIVATE KEY----- …)',
    ),
    passphrase: secretText({ title: 'Passphrase', description: 'Only if the key is encrypted.' }, 1024).optional(),
  }),
  github: z.strictObject({
    username: gitUser(),
    password: gitPassword('Access token', 'A GitHub personal access token (classic or fine-grained).'),
  }),
  gitlab: z.strictObject({
    username: gitUser(),
    password: gitPassword('Password', 'Optional; the token is what GitLab uses for API and clone access.').optional(),
    token: gitPassword('Access token', 'A GitLab personal, project or group access token.'),
  }),
  gitea: z.strictObject({
    username: gitUser(),
    password: gitPassword('Password or token', 'A Gitea password or access token.'),
  }),
  bitbucket: z.strictObject({
    username: gitUser(),
    password: gitPassword('App password or API token', 'A Bitbucket app password or API token.'),
  }),
  azurerepos: z.strictObject({
    username: gitUser(),
    password: gitPassword('Personal access token', 'An Azure DevOps personal access token with Code (read) scope.'),
  }),
  codecommit: z.strictObject({
    username: gitUser('Access key'),
    password: gitPassword('Secret key', 'The secret access key (or Git credentials password) for CodeCommit.'),
  }),
  'container-reg': z.strictObject({
    userName: requiredText({ title: 'User name', description: 'Docker Hub: your user name. Quay: the robot account, namespace+name.' }, 256),
    password: secretText({ title: 'Password or access token', description: 'Docker Hub: a read-only personal access token. Quay: the robot token.' }, 4096),
    registry: z
      .string({ error: 'must be a string' })
      .trim()
      .max(300, 'must be at most 300 characters')
      .check((ctx) => {
        const problem = registryFormProblem(ctx.value);
        if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      })
      .meta({ title: 'Registry server', description: 'Host only; empty means docker.io.', 'x-placeholder': 'docker.io' })
      .optional(),
  }),
  'tw-agent': z.strictObject({
    connectionId: z
      .string({ error: mustBeString })
      .trim()
      .uuid('must be a UUID such as 0f6b7c1e-8a8d-4f0e-9a33-2d1f5c3b7e21; use Generate to make one')
      .meta({ title: 'Agent connection ID', 'x-generate': 'uuid' }),
    workDir: publicText({ title: 'Work directory', description: 'Optional: the agent host path for the pipeline work directory.' }, 1024).optional(),
    shared: z
      .boolean({ error: 'must be true or false' })
      .meta({ title: 'Shared agent', description: 'Organization workspaces only: one agent for all members.' })
      .optional(),
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
  aws: { id: 'aws', label: 'Amazon Web Services', category: 'cloud', baseUrl: false },
  azure: { id: 'azure', label: 'Azure Batch', category: 'cloud', baseUrl: false },
  google: { id: 'google', label: 'Google Cloud', category: 'cloud', baseUrl: false },
  k8s: { id: 'k8s', label: 'Kubernetes', category: 'k8s', baseUrl: false },
  ssh: { id: 'ssh', label: 'SSH', category: 'ssh', baseUrl: false },
  github: { id: 'github', label: 'GitHub', category: 'git', baseUrl: true, hint: 'baseUrl only for GitHub Enterprise Server.' },
  gitlab: { id: 'gitlab', label: 'GitLab', category: 'git', baseUrl: true, hint: 'baseUrl only for a self-managed GitLab.' },
  gitea: { id: 'gitea', label: 'Gitea', category: 'git', baseUrl: true },
  bitbucket: { id: 'bitbucket', label: 'Bitbucket', category: 'git', baseUrl: true },
  azurerepos: { id: 'azurerepos', label: 'Azure Repos', category: 'git', baseUrl: true },
  codecommit: { id: 'codecommit', label: 'AWS CodeCommit', category: 'git', baseUrl: true, hint: 'baseUrl is the repository region endpoint, such as https://git-codecommit.eu-west-1.amazonaws.com.' },
  'container-reg': {
    id: 'container-reg',
    label: 'Container registry',
    category: 'registry',
    baseUrl: false,
    hint: 'Docker Hub: use a read-only personal access token. Quay: use a robot account (namespace+name) and its token.',
  },
  'tw-agent': { id: 'tw-agent', label: 'Tower Agent', category: 'agent', baseUrl: false },
};

export type FieldInfo = FieldMeta & {
  name: string;
  secret: boolean;
  required: boolean;
  kind: 'text' | 'boolean';
};

function unwrapOptional(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  return schema instanceof z.ZodOptional ? { inner: schema.unwrap() as z.ZodType, optional: true } : { inner: schema, optional: false };
}

/** The fields of a provider's keys in form order, read from the zod schemas' metadata. */
export function providerFields(provider: ProviderId): FieldInfo[] {
  const shape = providerKeys[provider].shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, schema]) => {
    const { inner, optional } = unwrapOptional(schema);
    const meta = (schema.meta() ?? inner.meta() ?? { title: name }) as FieldMeta;
    return {
      ...meta,
      name,
      secret: meta['x-secret'] === true,
      required: !optional,
      kind: inner instanceof z.ZodBoolean ? 'boolean' : 'text',
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
  if (provider === 'aws') return { decidedBy: ['keys.accessKey', 'keys.assumeRoleArn'], secrets: ['secretKey'] };
  if (provider === 'azure') return { decidedBy: ['keys.batchName', 'keys.storageName'], secrets: ['batchKey', 'storageKey'] };
  if (providers[provider].baseUrl) return { decidedBy: ['baseUrl'], secrets: secretFieldNames(provider) };
  return null;
}

/**
 * Rules that span fields, checked on the complete keys (after an update has been merged with what is stored).
 * Returns [field, message] pairs.
 */
export function crossFieldProblems(provider: ProviderId, keys: Record<string, unknown>): Array<[string, string]> {
  if (provider === 'k8s') {
    const hasToken = typeof keys.token === 'string' && keys.token !== '';
    const hasCert = typeof keys.certificate === 'string' && keys.certificate !== '';
    const hasKey = typeof keys.privateKey === 'string' && keys.privateKey !== '';
    if (!hasToken && !hasCert && !hasKey) return [['token', 'is required unless a certificate and private key are given']];
    if (hasCert !== hasKey) return [[hasCert ? 'privateKey' : 'certificate', 'must be given together with the ' + (hasCert ? 'certificate' : 'private key')]];
  }
  return [];
}
