import type { Credentials, Workspace } from '../../shared/api';
import { providerLabels } from 'virtual:provider-labels';
import { agentSnippet } from '../lib/agent';
import type { CredentialsDraft } from '../lib/credential-form';
import { expiresSoon, expiryText } from '../lib/expiry';
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
  items: Credentials[];
  reload: () => Promise<void>;
  /** A form restored from a draft when the popup reopens. */
  restored: { editingId: string | null; draft: CredentialsDraft } | null;
}

type Mode = { kind: 'list' } | { kind: 'add'; initial?: CredentialsDraft } | { kind: 'edit'; item: Credentials; initial?: CredentialsDraft };

export function CredentialsView({ workspace, canManage, items, reload, restored }: Props) {
  const { mode, setMode, setReturnTo, close, toast } = useListForm<Mode>(
    () => {
      if (!restored || !canManage) return { kind: 'list' };
      if (restored.editingId === null) return { kind: 'add', initial: restored.draft };
      const item = items.find((c) => c.id === restored.editingId);
      return item ? { kind: 'edit', item, initial: restored.draft } : { kind: 'list' };
    },
    { kind: 'list' },
    reload,
  );
  const { filter, setFilter, shown } = useFiltered(items, (c) => [c.name, providerLabels[c.provider].label, c.description ?? '']);
  const wsId = apiWorkspaceId(workspace);

  const forms = useForms(mode.kind !== 'list');
  if (mode.kind !== 'list') {
    if (!forms) return <Spinner label={i18n.t('common.loading')} />;
    const { CredentialsForm } = forms;
    return (
      <CredentialsForm
        workspace={workspace}
        editing={mode.kind === 'edit' ? mode.item : null}
        initial={mode.initial}
        onCancel={() => void close()}
        onDone={(text) => void close(text)}
      />
    );
  }

  return (
    <section aria-label={i18n.t('credentials.sectionLabel')}>
      <div class="toolbar">
        <FilterBox label={i18n.t('credentials.filter')} value={filter} onInput={setFilter} />
        {canManage ? (
          <button type="button" class="primary" id="add-credentials" onClick={() => (setReturnTo('#add-credentials'), setMode({ kind: 'add' }))}>
            {i18n.t('credentials.add')}
          </button>
        ) : null}
      </div>
      {!canManage ? <p class="muted small-print">{i18n.t('credentials.readOnly', [workspace.role])}</p> : null}
      {items.length === 0 ? (
        <div class="empty">
          <p>{i18n.t('credentials.empty')}</p>
          {canManage ? <p class="muted">{i18n.t('credentials.emptyHint')}</p> : null}
        </div>
      ) : shown.length === 0 ? (
        <p class="empty">{i18n.t('common.nothingMatches', [filter])}</p>
      ) : (
        <WindowedList
          items={shown}
          row={(c, i) => {
            const rowId = `cred-${c.id}`;
            const copies: Array<[string, string]> = [[i18n.t('common.name'), c.name], [i18n.t('common.id'), c.id]];
            if (c.provider === 'tw-agent' && typeof c.keys.connectionId === 'string') {
              copies.push([i18n.t('credentials.copyConnectionId'), c.keys.connectionId]);
              copies.push([i18n.t('credentials.copyAgentCommand'), agentSnippet(c.keys.connectionId, typeof c.keys.workDir === 'string' ? c.keys.workDir : '')]);
            }
            return (
              <Row
                key={c.id}
                pos={[i + 1, shown.length]}
                name={c.name}
                data={{ 'data-credentials': c.name, id: rowId }}
                sub={
                  c.expiresAt ? (
                    <>
                      <span class={expiresSoon(c) ? 'expiry soon' : 'expiry'}>{expiryText(c.expiresAt)}</span>
                      {c.description ? ` · ${c.description}` : ''}
                    </>
                  ) : c.description ? c.description : i18n.t('credentials.dates', [ago(c.lastUpdated), ago(c.lastUsed)])
                }
                badge={<span class={`badge ${c.category}`}>{providerLabels[c.provider].label}</span>}
              >
                <CopyMenu what={c.name} items={copies} onCopied={(label) => toast({ kind: 'success', text: i18n.t('common.copiedThe', [label.toLowerCase(), c.name]) })} />
                {c.provider === 'container-reg' && canManage ? (
                  <button
                    type="button"
                    class="small"
                    aria-label={i18n.t('credentials.checkLabel', [c.name])}
                    onClick={async () => {
                      const res = await latchkey.checkRegistryLogin(wsId, c.id);
                      if (res.ok) toast({ kind: 'success', text: i18n.t('credentials.loginAccepted', [String(c.keys.registry), c.name]) });
                      else toast({ kind: 'error', ...plainFailure(res) });
                    }}
                  >
                    {i18n.t('credentials.check')}
                  </button>
                ) : null}
                {canManage ? (
                  <>
                    <button type="button" class="small" aria-label={i18n.t('credentials.editLabel', [c.name])} id={`edit-${c.id}`} onClick={() => (setReturnTo(`#edit-${c.id}`), setMode({ kind: 'edit', item: c }))}>
                      {i18n.t('credentials.edit')}
                    </button>
                    <ConfirmDelete
                      what={c.name}
                      onConfirm={async () => {
                        const res = await latchkey.deleteCredentials(wsId, c.id);
                        if (!res.ok) return toast({ kind: 'error', ...plainFailure(res) });
                        toast({ kind: 'success', text: i18n.t('common.deleted', [c.name]) });
                        // Focus stays in the list: on the next row (or the previous one at the end).
                        const next = shown[i + 1] ?? shown[i - 1];
                        setReturnTo(next ? `#edit-${next.id}` : canManage ? '#add-credentials' : null);
                        await reload();
                      }}
                    />
                  </>
                ) : null}
              </Row>
            );
          }}
        />
      )}
    </section>
  );
}
