import { useEffect, useRef, useState } from 'preact/hooks';
import type { PipelineSecret, Workspace } from '../../shared/api';
import { SecretValue } from '../../shared/names';
import { saveDraft } from '../lib/draft-save';
import { plainFailure } from '../lib/plain-errors';
import { latchkey } from '../lib/service';
import { useNameCheck } from './name-check';
import { useToast } from './toast';
import { Field, FormActions, focusFirst, SecretInput } from './ui';
import { apiWorkspaceId } from '../lib/workspaces';
import { i18n } from '#i18n';

/** Add a pipeline secret, or give one a new value; the value is write-only and never kept in a draft. */
export function SecretForm({ workspace, editing, initialName, onDone, onCancel }: {
  workspace: Workspace; editing: PipelineSecret | null; initialName: string; onDone: (t: string) => void; onCancel: () => void;
}) {
  const wsId = apiWorkspaceId(workspace);
  const [name, setName] = useState(editing?.name ?? initialName);
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [refusals, setRefusals] = useState(0);
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const nameState = useNameCheck('secret', wsId, editing ? '' : name);

  // The name (never the value) is kept as a draft while the form is open.
  useEffect(() => void saveDraft({ kind: 'secret', workspaceId: workspace.id, editingId: editing ? String(editing.id) : null, name }), [name]);
  useEffect(() => focusFirst(form.current), []);
  useEffect(() => {
    if (refusals > 0) focusFirst(form.current, true);
  }, [refusals]);

  async function submit(e: Event) {
    e.preventDefault();
    const valueCheck = SecretValue.safeParse(value);
    const next: Record<string, string> = {};
    if (!editing && nameState.state === 'bad') next.name = nameState.message;
    if (!editing && name === '') next.name = i18n.t('secrets.nameRequired');
    if (!valueCheck.success) next.value = i18n.t('secrets.valueProblem', [valueCheck.error.issues[0]?.message ?? i18n.t('secrets.isInvalid')]);
    setErrors(next);
    if (Object.keys(next).length) return setRefusals((n) => n + 1);
    setBusy(true);
    const res = editing ? await latchkey.updateSecret(wsId, String(editing.id), value) : await latchkey.createSecret(wsId, name, value);
    setBusy(false);
    if (res.ok) {
      setValue('');
      return onDone(editing ? i18n.t('secrets.updated', [editing.name]) : i18n.t('common.added', [name]));
    }
    const plain = plainFailure(res);
    if (plain.field) {
      setErrors({ [plain.field]: res.message });
      setRefusals((n) => n + 1);
    } else toast({ kind: 'error', text: plain.text, details: plain.details });
  }

  return (
    <form ref={form} class="form" onSubmit={submit} noValidate aria-label={editing ? i18n.t('secrets.formUpdateLabel', [editing.name]) : i18n.t('secrets.add')}
      onKeyDown={(e) => e.key === 'Escape' && !e.defaultPrevented && (e.preventDefault(), onCancel())}>
      <h2>{editing ? i18n.t('secrets.newValueFor', [editing.name]) : i18n.t('secrets.addTitle')}</h2>
      {editing ? null : (
        <Field label={i18n.t('common.name')} error={errors.name ?? (nameState.state === 'bad' ? nameState.message : undefined)} ok={nameState.state === 'ok' ? i18n.t('common.nameFree') : undefined}
          hint={i18n.t('secrets.nameHint')}>
          {(id, d) => <input id={id} aria-describedby={d} aria-invalid={Boolean(errors.name ?? (nameState.state === 'bad' ? nameState.message : undefined))} class="mono" value={name} autoComplete="off" spellcheck={false} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
        </Field>
      )}
      <Field label={i18n.t('secrets.value')} error={errors.value} hint={i18n.t('secrets.valueHint')}>
        {(id, d) => <SecretInput id={id} describedBy={d} value={value} multiline invalid={Boolean(errors.value)} onInput={setValue} />}
      </Field>
      <FormActions busy={busy} label={editing ? i18n.t('secrets.update') : i18n.t('secrets.addButton')} onCancel={onCancel} />
    </form>
  );
}
