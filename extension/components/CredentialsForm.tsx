import { useEffect, useRef, useState } from 'preact/hooks';
import type { Credentials, Workspace } from '../../shared/api';
import { PROVIDER_IDS, type ProviderId, providers } from '../../shared/providers';
import { normalizeRegistry } from '../../shared/registry';
import { agentSnippet, check, type CredentialsDraft, draftFrom, fieldsFor, isRoleMode, newDraft, registryHint, switchProvider } from '../lib/credential-form';
import { saveDraft } from '../lib/draft-save';
import { plainFailure } from '../lib/plain-errors';
import { latchkey } from '../lib/service';
import { useNameCheck } from './name-check';
import { useToast } from './toast';
import { CopyButton, Field, FormActions, focusFirst, SecretInput } from './ui';
import { apiWorkspaceId } from '../lib/workspaces';
import { i18n } from '#i18n';

interface Props {
  workspace: Workspace;
  editing: Credentials | null;
  /** A draft restored after the popup was closed and reopened (secret fields empty). */
  initial?: CredentialsDraft;
  onDone: (message: string) => void;
  onCancel: () => void;
}

/** Add or edit credentials; the fields come from the provider catalogue in shared/, not from per-provider code. */
export function CredentialsForm({ workspace, editing, initial, onDone, onCancel }: Props) {
  const [draft, setDraft] = useState<CredentialsDraft>(() => initial ?? (editing ? draftFrom(editing) : newDraft('aws')));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const [refusals, setRefusals] = useState(0);
  /** The registry could not be reached to check the login: the user may save it unchecked. */
  const [offerSkip, setOfferSkip] = useState(false);
  const [busy, setBusy] = useState(false);
  const wsId = apiWorkspaceId(workspace);
  const nameState = useNameCheck('credentials', wsId, draft.name, editing?.name);
  const info = providers[draft.provider];
  const fields = fieldsFor(draft.provider, workspace.kind);
  const roleMode = isRoleMode(draft);

  // Keep the non-secret fields as a draft while the form is open; focus the first field on open, the first error
  // after a refused submit.
  useEffect(() => void saveDraft({ kind: 'credentials', workspaceId: workspace.id, editingId: editing?.id ?? null, draft }), [draft]);
  useEffect(() => focusFirst(form.current), []);
  useEffect(() => {
    if (refusals > 0) focusFirst(form.current, true);
  }, [refusals]);

  const set = (patch: Partial<CredentialsDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setValue = (name: string, value: string | boolean) => {
    setDraft((d) => ({ ...d, values: { ...d.values, [name]: value } }));
    setErrors(({ [name]: _gone, ...rest }) => rest);
  };

  async function submit(e: Event, skipRegistryCheck = false) {
    e.preventDefault();
    setOfferSkip(false);
    const checked = check(draft);
    if (!checked.ok) return (setErrors(checked.errors), setRefusals((n) => n + 1));
    if (nameState.state === 'bad') return (setErrors({ name: nameState.message }), setRefusals((n) => n + 1));
    setBusy(true);
    const res =
      checked.mode === 'create'
        ? await latchkey.createCredentials(wsId, checked.body, skipRegistryCheck)
        : await latchkey.updateCredentials(wsId, editing!.id, checked.body, skipRegistryCheck);
    setBusy(false);
    if (res.ok) return onDone(checked.mode === 'create' ? i18n.t('common.added', [draft.name]) : i18n.t('credentials.saved', [draft.name]));
    // Only a refusal that names a field marks that field; outages and server errors are said in the toast.
    const plain = plainFailure(res);
    if (plain.field && plain.field !== 'provider') {
      setErrors({ [plain.field]: res.message });
      setRefusals((n) => n + 1);
    } else toast({ kind: 'error', text: plain.text, details: plain.details });
    setOfferSkip(plain.registryUnreachable && draft.provider === 'container-reg');
  }

  const nameNote = nameState.state === 'bad' ? nameState.message : undefined;
  return (
    <form ref={form} class="form" onSubmit={submit} noValidate aria-label={editing ? i18n.t('credentials.editLabel', [editing.name]) : i18n.t('credentials.add')}
      onKeyDown={(e) => e.key === 'Escape' && !e.defaultPrevented && (e.preventDefault(), onCancel())}>
      <h2>{editing ? i18n.t('credentials.editLabel', [editing.name]) : i18n.t('credentials.add')}</h2>
      {offerSkip ? (
        <button type="button" onClick={(e) => submit(e, true)}>
          {i18n.t('credentials.saveUnchecked')}
        </button>
      ) : null}
      {editing ? (
        <p class="muted">
          {i18n.t('credentials.providerIs')} <strong>{info.label}</strong>
        </p>
      ) : (
        <Field label={i18n.t('credentials.provider')}>
          {(id) => (
            <select id={id} value={draft.provider} onChange={(e) => setDraft((d) => switchProvider(d, (e.target as HTMLSelectElement).value as ProviderId))}>
              {PROVIDER_IDS.map((p) => (
                <option key={p} value={p}>
                  {providers[p].label}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {info.hint && draft.provider !== 'container-reg' ? <p class="hint">{info.hint}</p> : null}
      <Field label={i18n.t('common.name')} error={errors.name ?? nameNote} ok={nameState.state === 'ok' ? i18n.t('common.nameFree') : undefined} hint={nameState.state === 'checking' ? i18n.t('common.checking') : undefined}>
        {(id, d) => (
          <input id={id} aria-describedby={d} aria-invalid={Boolean(errors.name ?? nameNote)} value={draft.name} maxLength={100} autoComplete="off" spellcheck={false}
            onInput={(e) => { set({ name: (e.target as HTMLInputElement).value }); setErrors(({ name: _n, ...rest }) => rest); }} />
        )}
      </Field>
      <Field label={i18n.t('credentials.expires')} error={errors.expiresAt} hint={i18n.t('credentials.expiresHint')}>
        {(id, d) => <input id={id} aria-describedby={d} type="date" value={draft.expiresAt ?? ''} onInput={(e) => set({ expiresAt: (e.target as HTMLInputElement).value })} />}
      </Field>
      <Field label={i18n.t('credentials.description')} error={errors.description}>
        {(id, d) => <input id={id} aria-describedby={d} value={draft.description} onInput={(e) => set({ description: (e.target as HTMLInputElement).value })} />}
      </Field>
      {info.baseUrl ? (
        <Field label={i18n.t('credentials.serverUrl')} error={errors.baseUrl}>
          {(id, d) => <input id={id} aria-describedby={d} type="url" placeholder="https://git.example.com" value={draft.baseUrl} onInput={(e) => set({ baseUrl: (e.target as HTMLInputElement).value })} />}
        </Field>
      ) : null}
      {fields.filter((f) => !(roleMode && (f.name === 'accessKey' || f.name === 'secretKey'))).map((f) => {
        const value = draft.values[f.name];
        const label = f.required || (editing && f.secret) ? f.title : i18n.t('common.optional', [f.title]);
        if (f.kind === 'boolean')
          return (
            <label class="switch" key={f.name}>
              <input type="checkbox" role="switch" checked={value === true} onChange={(e) => setValue(f.name, (e.target as HTMLInputElement).checked)} />
              <span>{f.title}</span>
              {f.description ? <small class="muted">{f.description}</small> : null}
            </label>
          );
        const hint =
          f.name === 'registry' && draft.provider === 'container-reg'
            ? registryHint(String(value))
            : editing && f.secret
              ? i18n.t('credentials.keepSecretHint')
              : f.description;
        if (f.secret)
          return (
            <Field key={f.name} label={label} error={errors[f.name]} hint={hint}>
              {(id, d) => (
                <SecretInput id={id} describedBy={d} value={String(value ?? '')} multiline={f['x-multiline']} invalid={Boolean(errors[f.name])}
                  placeholder={editing ? i18n.t('credentials.unchangedPlaceholder') : f['x-placeholder']} onInput={(v) => setValue(f.name, v)} />
              )}
            </Field>
          );
        if (f.name === 'mode' && (draft.provider === 'aws' || draft.provider === 'seqeracompute'))
          return (
            <Field key={f.name} label={f.title} error={errors[f.name]}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={String(value ?? '') || 'keys'} onChange={(e) => setValue(f.name, (e.target as HTMLSelectElement).value)}>
                  <option value="keys">{i18n.t('credentials.awsMode.keys')}</option>
                  <option value="role">{i18n.t('credentials.awsMode.role')}</option>
                </select>
              )}
            </Field>
          );
        if (f.name === 'externalId' && roleMode)
          // In role mode Latchkey generates the External ID and refuses a chosen one: shown, copied, never typed.
          return (
            <Field key={f.name} label={f.title} hint={i18n.t('credentials.externalIdRoleHint')}>
              {(id, d) => (
                <div class="with-action">
                  <input id={id} aria-describedby={d} type="text" readOnly value={String(value ?? '')} placeholder={i18n.t('credentials.externalIdPending')} />
                  {value ? <CopyButton text={String(value)} /> : null}
                </div>
              )}
            </Field>
          );
        const common = {
          value: String(value ?? ''),
          placeholder: f['x-placeholder'],
          spellcheck: false,
          autoComplete: 'off',
          'aria-invalid': Boolean(errors[f.name]),
          onInput: (e: Event) => setValue(f.name, (e.target as HTMLInputElement).value),
        };
        return (
          <Field key={f.name} label={label} error={errors[f.name]} hint={hint}>
            {(id, d) => (
              <div class="with-action">
                {f['x-multiline'] ? (
                  <textarea id={id} aria-describedby={d} rows={4} {...common} />
                ) : (
                  <input id={id} aria-describedby={d} type="text" {...common}
                    onBlur={f.name === 'registry' ? () => setValue('registry', normalizeRegistry(String(value)) ?? String(value)) : undefined} />
                )}
                {f['x-generate'] === 'uuid' ? (
                  <button type="button" class="small" onClick={() => setValue(f.name, crypto.randomUUID())}>
                    {i18n.t('credentials.generate')}
                  </button>
                ) : null}
              </div>
            )}
          </Field>
        );
      })}
      {draft.provider === 'tw-agent' ? (
        <div class="snippet">
          <div class="snippet-head">
            <strong>{i18n.t('credentials.startAgent')}</strong>
            <CopyButton text={agentSnippet(String(draft.values.connectionId ?? ''), String(draft.values.workDir ?? ''))} />
          </div>
          <pre role="region" aria-label={i18n.t('credentials.agentUsage')} tabIndex={0}>{agentSnippet(String(draft.values.connectionId ?? ''), String(draft.values.workDir ?? ''))}</pre>
        </div>
      ) : null}
      <FormActions busy={busy} label={editing ? i18n.t('credentials.save') : i18n.t('credentials.addButton')} onCancel={onCancel} />
    </form>
  );
}
