import { useState } from 'preact/hooks';
import type { Credentials, Workspace } from '../../shared/api';
import { PROVIDER_IDS, type ProviderId, providers } from '../../shared/providers';
import { normalizeRegistry } from '../../shared/registry';
import { agentSnippet, check, type CredentialsDraft, draftFrom, fieldsFor, newDraft, registryHint, switchProvider } from '../lib/credential-form';
import { latchkey } from '../lib/service';
import { useNameCheck } from './name-check';
import { Banner, CopyButton, Field, FormActions } from './ui';

interface Props {
  workspace: Workspace;
  editing: Credentials | null;
  onDone: (message: string) => void;
  onCancel: () => void;
}

/** Add or edit credentials; the fields come from the provider catalogue in shared/, not from per-provider code. */
export function CredentialsForm({ workspace, editing, onDone, onCancel }: Props) {
  const [draft, setDraft] = useState<CredentialsDraft>(() => (editing ? draftFrom(editing) : newDraft('aws')));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  /** The registry could not be reached to check the login: the user may save it unchecked. */
  const [offerSkip, setOfferSkip] = useState(false);
  const [busy, setBusy] = useState(false);
  const wsId = workspace.kind === 'personal' ? null : workspace.id;
  const nameState = useNameCheck('credentials', wsId, draft.name, editing?.name);
  const info = providers[draft.provider];
  const fields = fieldsFor(draft.provider, workspace.kind);

  const set = (patch: Partial<CredentialsDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setValue = (name: string, value: string | boolean) => {
    setDraft((d) => ({ ...d, values: { ...d.values, [name]: value } }));
    setErrors(({ [name]: _gone, ...rest }) => rest);
  };

  async function submit(e: Event, skipRegistryCheck = false) {
    e.preventDefault();
    setFailure(null);
    setOfferSkip(false);
    const checked = check(draft);
    if (!checked.ok) return setErrors(checked.errors);
    if (nameState.state === 'bad') return setErrors({ name: nameState.message });
    setBusy(true);
    const res =
      checked.mode === 'create'
        ? await latchkey.createCredentials(wsId, checked.body, skipRegistryCheck)
        : await latchkey.updateCredentials(wsId, editing!.id, checked.body, skipRegistryCheck);
    setBusy(false);
    if (res.ok) return onDone(checked.mode === 'create' ? `Added '${draft.name}'` : `Saved '${draft.name}'`);
    if (res.field && res.field !== 'provider') setErrors({ [res.field]: res.message });
    else setFailure(res.message);
    setOfferSkip(res.status === 502 && draft.provider === 'container-reg');
  }

  const nameNote = nameState.state === 'bad' ? nameState.message : undefined;
  return (
    <form class="form" onSubmit={submit} noValidate aria-label={editing ? `Edit ${editing.name}` : 'Add credentials'}>
      <h2>{editing ? `Edit ${editing.name}` : 'Add credentials'}</h2>
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {offerSkip ? (
        <button type="button" onClick={(e) => submit(e, true)}>
          Save without checking the registry
        </button>
      ) : null}
      {editing ? (
        <p class="muted">
          Provider: <strong>{info.label}</strong>
        </p>
      ) : (
        <Field label="Provider">
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
      <Field label="Name" error={errors.name ?? nameNote} ok={nameState.state === 'ok' ? 'Name is free' : undefined} hint={nameState.state === 'checking' ? 'Checking…' : undefined}>
        {(id, d) => (
          <input id={id} aria-describedby={d} aria-invalid={Boolean(errors.name ?? nameNote)} value={draft.name} autoComplete="off" spellcheck={false}
            onInput={(e) => { set({ name: (e.target as HTMLInputElement).value }); setErrors(({ name: _n, ...rest }) => rest); }} />
        )}
      </Field>
      <Field label="Description (optional)" error={errors.description}>
        {(id, d) => <input id={id} aria-describedby={d} value={draft.description} onInput={(e) => set({ description: (e.target as HTMLInputElement).value })} />}
      </Field>
      {info.baseUrl ? (
        <Field label="Server URL (self-hosted only)" error={errors.baseUrl}>
          {(id, d) => <input id={id} aria-describedby={d} type="url" placeholder="https://git.example.com" value={draft.baseUrl} onInput={(e) => set({ baseUrl: (e.target as HTMLInputElement).value })} />}
        </Field>
      ) : null}
      {fields.map((f) => {
        const value = draft.values[f.name];
        const label = `${f.title}${f.required || (editing && f.secret) ? '' : ' (optional)'}`;
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
              ? 'Stored and hidden. Leave empty to keep it; type to replace it.'
              : f.description;
        const common = {
          value: String(value ?? ''),
          placeholder: editing && f.secret ? '•••••• (unchanged)' : f['x-placeholder'],
          spellcheck: false,
          autoComplete: f.secret ? 'new-password' : 'off',
          onInput: (e: Event) => setValue(f.name, (e.target as HTMLInputElement).value),
        };
        return (
          <Field key={f.name} label={label} error={errors[f.name]} hint={hint}>
            {(id, d) => (
              <div class="with-action">
                {f['x-multiline'] ? (
                  <textarea id={id} aria-describedby={d} rows={4} class={f.secret ? 'secret' : ''} {...common} />
                ) : (
                  <input id={id} aria-describedby={d} type={(f.secret ? 'password' : 'text') as 'text'} {...common}
                    onBlur={f.name === 'registry' ? () => setValue('registry', normalizeRegistry(String(value)) ?? String(value)) : undefined} />
                )}
                {f['x-generate'] === 'uuid' ? (
                  <button type="button" class="small" onClick={() => setValue(f.name, crypto.randomUUID())}>
                    Generate
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
            <strong>Start the agent</strong>
            <CopyButton text={agentSnippet(String(draft.values.connectionId ?? ''), String(draft.values.workDir ?? ''))} />
          </div>
          <pre role="region" aria-label="Tower Agent usage" tabIndex={0}>{agentSnippet(String(draft.values.connectionId ?? ''), String(draft.values.workDir ?? ''))}</pre>
        </div>
      ) : null}
      <FormActions busy={busy} label={editing ? 'Save' : 'Add'} onCancel={onCancel} />
    </form>
  );
}
