/**
 * Credentials forms, generated from the provider catalogue in shared/ (one source of truth): the fields, their
 * initial values, the request they make, and local validation with the same zod schemas the worker uses.
 */
import { type CreateCredentialsRequest, CreateCredentialsBody, type Credentials, type UpdateCredentialsRequest, UpdateCredentialsBody } from '../../shared/api';
import { crossFieldProblems, type FieldInfo, type ProviderId, providerFields, providers } from '../../shared/providers';
import { DOCKER_HUB, normalizeRegistry } from '../../shared/registry';
import { i18n } from '#i18n';

export type FormValues = Record<string, string | boolean>;

export interface CredentialsDraft {
  mode: 'create' | 'edit';
  provider: ProviderId;
  name: string;
  description: string;
  baseUrl: string;
  /** YYYY-MM-DD, or '' for none. */
  expiresAt: string;
  values: FormValues;
}

export function fieldsFor(provider: ProviderId, workspaceKind: 'personal' | 'organization'): FieldInfo[] {
  // A shared agent only exists in an organization workspace.
  return providerFields(provider).filter((f) => !(provider === 'tw-agent' && f.name === 'shared' && workspaceKind !== 'organization'));
}

export function newDraft(provider: ProviderId): CredentialsDraft {
  const values: FormValues = {};
  for (const f of providerFields(provider)) values[f.name] = f.kind === 'boolean' ? false : '';
  if (provider === 'container-reg') values.registry = DOCKER_HUB;
  return { mode: 'create', provider, name: '', description: '', baseUrl: '', expiresAt: '', values };
}

/** Switching provider keeps what the two providers share (name, description, same-named public fields). */
export function switchProvider(draft: CredentialsDraft, provider: ProviderId): CredentialsDraft {
  const next = newDraft(provider);
  for (const f of providerFields(provider)) if (!f.secret && f.name in draft.values && draft.values[f.name] !== '') next.values[f.name] = draft.values[f.name]!;
  return { ...next, name: draft.name, description: draft.description, expiresAt: draft.expiresAt, baseUrl: providers[provider].baseUrl ? draft.baseUrl : '' };
}

/** An edit form for stored credentials: public fields filled in, secret fields empty (left empty, they are kept). */
export function draftFrom(c: Credentials): CredentialsDraft {
  const draft = newDraft(c.provider);
  for (const f of providerFields(c.provider)) {
    const v = c.keys[f.name];
    if (!f.secret && v !== undefined && v !== null) draft.values[f.name] = v;
  }
  return { ...draft, mode: 'edit', name: c.name, description: c.description ?? '', baseUrl: c.baseUrl ?? '', expiresAt: c.expiresAt?.slice(0, 10) ?? '' };
}

/** AWS role mode: no keys, a role Latchkey assumes with its own identity and an External ID it generates. */
export const isRoleMode = (draft: CredentialsDraft) => (draft.provider === 'aws' || draft.provider === 'seqeracompute') && draft.values.mode === 'role';

/**
 * The request body a draft makes: empty optional fields are left out, and on edit so are empty secret fields. In role
 * mode the External ID is never sent (Latchkey generates and keeps it) and neither are keys.
 */
export function requestBody(draft: CredentialsDraft): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  const roleMode = isRoleMode(draft);
  for (const f of providerFields(draft.provider)) {
    if (roleMode && (f.name === 'externalId' || f.name === 'accessKey' || f.name === 'secretKey')) continue;
    const v = draft.values[f.name];
    if (f.kind === 'boolean') {
      if (v === true) keys[f.name] = true;
      continue;
    }
    const text = typeof v === 'string' ? (f.secret ? v : v.trim()) : '';
    if (text === '') continue;
    keys[f.name] = f.name === 'registry' && draft.provider === 'container-reg' ? (normalizeRegistry(text) ?? text) : text;
  }
  return {
    credentials: {
      name: draft.name.trim(),
      provider: draft.provider,
      ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
      // An edit that empties the date clears the stored expiry.
      ...(draft.expiresAt ? { expiresAt: draft.expiresAt } : draft.mode === 'edit' ? { expiresAt: null } : {}),
      ...(providers[draft.provider].baseUrl && draft.baseUrl.trim() ? { baseUrl: draft.baseUrl.trim() } : {}),
      keys,
    },
  };
}

export type Checked =
  | { ok: true; mode: 'create'; body: CreateCredentialsRequest }
  | { ok: true; mode: 'edit'; body: UpdateCredentialsRequest }
  | { ok: false; errors: Record<string, string> };

/** Validates a draft with the worker's own schemas; errors are keyed by form field (name, baseUrl, or a key). */
export function check(draft: CredentialsDraft): Checked {
  const schema = draft.mode === 'create' ? CreateCredentialsBody : UpdateCredentialsBody;
  const parsed = schema.safeParse(requestBody(draft));
  if (parsed.success && draft.mode === 'create') {
    // Rules across fields (aws keys or role, a git token as password or token…), as the worker applies them.
    const body = parsed.data as CreateCredentialsRequest;
    const problems = crossFieldProblems(body.credentials.provider, body.credentials.keys as Record<string, unknown>);
    if (problems.length === 0) return { ok: true, mode: 'create', body };
    return { ok: false, errors: Object.fromEntries(problems.map(([field, message]) => [field, sentence(field, message)])) };
  }
  if (parsed.success) return { ok: true, mode: 'edit', body: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.filter((p) => p !== 'credentials' && p !== 'keys').join('.') || 'form';
    errors[field] ??= sentence(field, issue.message);
  }
  if (draft.mode === 'create') {
    const keys = Object.fromEntries(Object.entries(draft.values).filter(([, v]) => v !== '' && v !== false));
    for (const [field, message] of crossFieldProblems(draft.provider, keys)) errors[field] ??= sentence(field, message);
  }
  return { ok: false, errors };
}

function sentence(field: string, message: string): string {
  if (/^Invalid input: expected \w+, received undefined$/.test(message) || /^is required\b/.test(message)) return i18n.t('common.required');
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** What to tell the user about the registry field as they type: the host that will be stored. */
export function registryHint(value: string): string {
  const host = normalizeRegistry(value);
  if (host === null) return i18n.t('credentials.registryHint.notAHost');
  if (host === DOCKER_HUB) return i18n.t('credentials.registryHint.dockerHub');
  if (host === 'quay.io') return i18n.t('credentials.registryHint.quay');
  return i18n.t('credentials.registryHint.storedAs', [host]);
}

export { agentSnippet } from './agent';
