import type { PipelineSecret, Workspace } from '../../shared/api';
import { ago } from '../lib/format';
import { plainFailure } from '../lib/plain-errors';
import { latchkey } from '../lib/service';
import { CopyMenu, FilterBox, Row, useFiltered, useForms, useListForm, WindowedList } from './list';
import { ConfirmDelete, Spinner } from './ui';
import { apiWorkspaceId } from '../lib/workspaces';
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
  const wsId = apiWorkspaceId(workspace);

  const forms = useForms(mode.kind !== 'list');
  if (mode.kind !== 'list') {
    if (!forms) return <Spinner label={i18n.t('common.loading')} />;
    const { SecretForm } = forms;
    return (
      <SecretForm
        workspace={workspace}
        editing={mode.kind === 'update' ? mode.item : null}
        initialName={mode.kind === 'add' ? (mode.name ?? '') : ''}
        onDone={(t) => void close(t)}
        onCancel={() => void close()}
      />
    );
  }

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
