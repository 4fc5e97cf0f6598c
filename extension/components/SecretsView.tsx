import { useEffect, useRef, useState } from 'preact/hooks';
import type { PipelineSecret, Workspace } from '../../shared/api';
import { SecretValue } from '../../shared/names';
import { saveDraft } from '../lib/drafts';
import { ago } from '../lib/format';
import { plainFailure } from '../lib/plain-errors';
import { latchkey } from '../lib/service';
import { CopyMenu, FilterBox, Row, useFiltered, useListForm, WindowedList } from './list';
import { useNameCheck } from './name-check';
import { useToast } from './toast';
import { ConfirmDelete, Field, FormActions, focusFirst, SecretInput } from './ui';
import { i18n } from '#i18n';

interface Props {
  workspace: Workspace;
  canManage: boolean;
  items: PipelineSecret[];
  reload: () => Promise<void>;
  restored: { editingId: string | null; name: string } | null;
}

type Mode = { kind: 'list' } | { kind: 'add'; name?: string } | { kind: 'update'; item: PipelineSecret };

/** Pipeline secrets: names are listed, values are write-only. */
export function SecretsView({ workspace, canManage, items, reload, restored }: Props) {
  const { mode, setMode, setReturnTo, close, toast } = useListForm<Mode>(
    () => {
      if (!restored || !canManage) return { kind: 'list' };
      if (restored.editingId === null) return { kind: 'add', name: restored.name };
      const item = items.find((s) => String(s.id) === restored.editingId);
      return item ? { kind: 'update', item } : { kind: 'list' };
    },
    { kind: 'list' },
    reload,
  );
  const { filter, setFilter, shown } = useFiltered(items, (s) => [s.name]);
  const wsId = workspace.kind === 'personal' ? null : workspace.id;

  if (mode.kind !== 'list')
    return (
      <SecretForm
        workspace={workspace}
        editing={mode.kind === 'update' ? mode.item : null}
        initialName={mode.kind === 'add' ? (mode.name ?? '') : ''}
        onDone={(t) => void close(t)}
        onCancel={() => void close()}
      />
    );

  return (
    <section aria-label={i18n.t('secrets.sectionLabel')}>
      <div class="toolbar">
        <FilterBox label={i18n.t('secrets.filter')} value={filter} onInput={setFilter} />
        {canManage ? (
          <button type="button" class="primary" id="add-secret" onClick={() => (setReturnTo('#add-secret'), setMode({ kind: 'add' }))}>
            {i18n.t('secrets.add')}
          </button>
        ) : null}
      </div>
      <p class="muted small-print">{workspace.kind === 'personal' ? i18n.t('secrets.personalNote') : i18n.t('secrets.workspaceNote')}</p>
      {items.length === 0 ? (
        <div class="empty">
          <p>{i18n.t('secrets.empty')}</p>
        </div>
      ) : shown.length === 0 ? (
        <p class="empty">{i18n.t('common.nothingMatches', [filter])}</p>
      ) : (
        <WindowedList
          items={shown}
          row={(s, i) => (
            <Row key={s.id} pos={[i + 1, shown.length]} name={s.name} mono data={{ 'data-secret': s.name }} sub={i18n.t('credentials.dates', [ago(s.lastUpdated), ago(s.lastUsed)])}>
              <CopyMenu
                what={s.name}
                items={[[i18n.t('common.name'), s.name], ['secrets.NAME', `secrets.${s.name}`], [i18n.t('common.id'), String(s.id)]]}
                onCopied={(label) => toast({ kind: 'success', text: label === 'secrets.NAME' ? i18n.t('secrets.copiedReference', [s.name]) : i18n.t('common.copiedThe', [label.toLowerCase(), s.name]) })}
              />
              {canManage ? (
                <>
                  <button type="button" class="small" id={`update-${s.id}`} aria-label={i18n.t('secrets.updateLabel', [s.name])} onClick={() => (setReturnTo(`#update-${s.id}`), setMode({ kind: 'update', item: s }))}>
                    {i18n.t('secrets.update')}
                  </button>
                  <ConfirmDelete
                    what={s.name}
                    onConfirm={async () => {
                      const res = await latchkey.deleteSecret(wsId, String(s.id));
                      if (!res.ok) return toast({ kind: 'error', ...plainFailure(res) });
                      toast({ kind: 'success', text: i18n.t('common.deleted', [s.name]) });
                      const next = shown[i + 1] ?? shown[i - 1];
                      setReturnTo(next ? `#update-${next.id}` : '#add-secret');
                      await reload();
                    }}
                  />
                </>
              ) : null}
            </Row>
          )}
        />
      )}
    </section>
  );
}

function SecretForm({ workspace, editing, initialName, onDone, onCancel }: {
  workspace: Workspace; editing: PipelineSecret | null; initialName: string; onDone: (t: string) => void; onCancel: () => void;
}) {
  const wsId = workspace.kind === 'personal' ? null : workspace.id;
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
