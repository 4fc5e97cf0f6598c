import { useState } from 'preact/hooks';
import type { PipelineSecret, Workspace } from '../../shared/api';
import { SecretValue } from '../../shared/names';
import { ago } from '../lib/format';
import { latchkey } from '../lib/service';
import { useNameCheck } from './name-check';
import { Banner, ConfirmDelete, Field, FormActions } from './ui';

interface Props {
  workspace: Workspace;
  canManage: boolean;
  items: PipelineSecret[];
  reload: () => Promise<void>;
}

/** Pipeline secrets: names are listed, values are write-only. */
export function SecretsView({ workspace, canManage, items, reload }: Props) {
  const [mode, setMode] = useState<{ kind: 'list' } | { kind: 'add' } | { kind: 'update'; item: PipelineSecret }>({ kind: 'list' });
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const wsId = workspace.kind === 'personal' ? null : workspace.id;
  const done = async (text: string) => {
    setMode({ kind: 'list' });
    setNotice({ kind: 'success', text });
    await reload();
  };

  if (mode.kind !== 'list') return <SecretForm wsId={wsId} editing={mode.kind === 'update' ? mode.item : null} onDone={done} onCancel={() => setMode({ kind: 'list' })} />;

  return (
    <section aria-label="Secrets">
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      <div class="toolbar">
        <span class="muted">{workspace.kind === 'personal' ? 'Your user secrets override workspace secrets of the same name.' : 'Workspace secrets, for every run here.'}</span>
        {canManage ? (
          <button type="button" class="primary" onClick={() => setMode({ kind: 'add' })}>
            Add secret
          </button>
        ) : null}
      </div>
      {items.length === 0 ? (
        <div class="empty">
          <p>No pipeline secrets here yet.</p>
        </div>
      ) : (
        <ul class="list">
          {items.map((s) => (
            <li key={s.id} data-secret={s.name}>
              <div class="row-main">
                <span class="name mono">{s.name}</span>
                <span class="badge">••••••</span>
              </div>
              <div class="row-meta">
                <span>Updated {ago(s.lastUpdated)}</span>
                <span>Used {ago(s.lastUsed)}</span>
              </div>
              {canManage ? (
                <div class="row-actions">
                  <button type="button" class="small" aria-label={`Update value of ${s.name}`} onClick={() => setMode({ kind: 'update', item: s })}>
                    Update value
                  </button>
                  <ConfirmDelete
                    what={s.name}
                    onConfirm={async () => {
                      const res = await latchkey.deleteSecret(wsId, s.id);
                      setNotice(res.ok ? { kind: 'success', text: `Deleted '${s.name}'` } : { kind: 'error', text: res.message });
                      await reload();
                    }}
                  />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function SecretForm({ wsId, editing, onDone, onCancel }: { wsId: string | null; editing: PipelineSecret | null; onDone: (t: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameState = useNameCheck('secret', wsId, editing ? '' : name);

  async function submit(e: Event) {
    e.preventDefault();
    const valueCheck = SecretValue.safeParse(value);
    const next: Record<string, string> = {};
    if (!editing && nameState.state === 'bad') next.name = nameState.message;
    if (!editing && name === '') next.name = 'Name is required';
    if (!valueCheck.success) next.value = `Value ${valueCheck.error.issues[0]?.message ?? 'is invalid'}`;
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    const res = editing ? await latchkey.updateSecret(wsId, editing.id, value) : await latchkey.createSecret(wsId, name, value);
    setBusy(false);
    setValue('');
    if (res.ok) return onDone(editing ? `Updated the value of '${editing.name}'` : `Added '${name}'`);
    if (res.field) setErrors({ [res.field]: res.message });
    else setFailure(res.message);
  }

  return (
    <form class="form" onSubmit={submit} noValidate aria-label={editing ? `Update ${editing.name}` : 'Add secret'}>
      <h2>{editing ? `New value for ${editing.name}` : 'Add pipeline secret'}</h2>
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {editing ? null : (
        <Field label="Name" error={errors.name ?? (nameState.state === 'bad' ? nameState.message : undefined)} ok={nameState.state === 'ok' ? 'Name is free' : undefined}
          hint="As Nextflow uses it: secrets.NAME or secret 'NAME'">
          {(id, d) => <input id={id} aria-describedby={d} class="mono" value={name} autoComplete="off" spellcheck={false} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
        </Field>
      )}
      <Field label="Value" error={errors.value} hint="Write-only: it is encrypted and never shown again.">
        {(id, d) => <textarea id={id} aria-describedby={d} class="secret" rows={3} value={value} spellcheck={false} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />}
      </Field>
      <FormActions busy={busy} label={editing ? 'Update' : 'Add'} onCancel={onCancel} />
    </form>
  );
}
