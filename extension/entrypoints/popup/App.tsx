import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { Credentials, PipelineSecret, Workspace } from '../../../shared/api';
import { PERMISSIONS, roleAtLeast } from '../../../shared/roles';
import { CredentialsView } from '../../components/CredentialsView';
import { SecretsView } from '../../components/SecretsView';
import { KeyIcon } from '../../components/KeyIcon';
import { loadForms } from '../../components/list';
import { ToastProvider, useToast } from '../../components/toast';
import { Banner, Spinner } from '../../components/ui';
import { type Draft, draftItem } from '../../lib/drafts';
import { plainFailure } from '../../lib/plain-errors';
import { latchkey } from '../../lib/service';
import { lastWorkspaceItem, workspaceItem } from '../../lib/storage';
import { i18n } from '#i18n';

type Tab = 'credentials' | 'secrets';
type Lists = { credentials: Credentials[]; secrets: PipelineSecret[] };
type ListAnswer<M extends 'listCredentials' | 'listSecrets'> = Awaited<ReturnType<(typeof latchkey)[M]>>;

const fetchLists = (wsId: string | null) => Promise.all([latchkey.listCredentials(wsId), latchkey.listSecrets(wsId)]);

const workspaceLabel = (w: Workspace) => (w.kind === 'personal' ? i18n.t('popup.personal') : i18n.t('popup.workspaceLabel', [w.orgName ?? '', w.name]));

/** Opened with ?window=1 by the pop-out button: the same popup in a window of its own, which stays open. */
const inOwnWindow = new URLSearchParams(location.search).has('window');

export function App() {
  return (
    <ToastProvider>
      <Popup />
    </ToastProvider>
  );
}

function Popup() {
  const toast = useToast();
  const [draft, setDraft] = useState<Draft | null | undefined>(undefined);
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);
  const [current, setCurrent] = useState<Workspace | null>(null);
  const [problem, setProblem] = useState<{ message: string; disconnected: boolean } | null>(null);
  const [tab, setTab] = useState<Tab>('credentials');
  const [lists, setLists] = useState<Lists | null>(null);
  const [listError, setListError] = useState<string | null>(null);

  /** Lists asked for before the workspace list came back, for the workspace the popup last showed. */
  const early = useRef<{ id: string; lists: Promise<[ListAnswer<'listCredentials'>, ListAnswer<'listSecrets'>]> } | null>(null);
  const loadWorkspaces = useCallback(async () => {
    setProblem(null);
    const workspacesAnswer = latchkey.workspaces();
    // A form left open (a draft) reopens in its workspace and tab; else the workspace last chosen. Its lists are
    // asked for now, beside the workspace list, when the popup knows how to name it (it showed it last time).
    const [remembered, saved, last] = await Promise.all([workspaceItem.getValue(), draftItem.getValue(), lastWorkspaceItem.getValue()]);
    const wanted = saved?.workspaceId ?? remembered;
    if (last && last.id === wanted) early.current = { id: last.id, lists: fetchLists(last.personal ? null : last.id) };
    const res = await workspacesAnswer;
    if (!res.ok) return setProblem({ message: res.message, disconnected: res.status === 0 && res.reason === 'not-connected' || res.status === 401 });
    setWorkspaces(res.data.workspaces);
    const ws = res.data.workspaces.find((w) => w.id === wanted) ?? res.data.workspaces[0] ?? null;
    setDraft(saved && saved.workspaceId === ws?.id ? saved : null);
    if (saved?.kind === 'secret') setTab('secrets');
    setCurrent(ws);
    if (ws && (last?.id !== ws.id || last.personal !== (ws.kind === 'personal'))) void lastWorkspaceItem.setValue({ id: ws.id, personal: ws.kind === 'personal' });
  }, []);

  /** The workspace whose lists the popup is showing: an answer for another one (switched meanwhile) is dropped. */
  const shown = useRef<string | null>(null);
  shown.current = current?.id ?? null;
  const loadLists = useCallback(async () => {
    if (!current) return;
    const wsId = current.kind === 'personal' ? null : current.id;
    const prefetched = early.current?.id === current.id ? early.current.lists : null;
    early.current = null;
    const [c, s] = await (prefetched ?? fetchLists(wsId));
    if (shown.current !== current.id) return;
    if (!c.ok || !s.ok) {
      const failure = plainFailure((!c.ok ? c : !s.ok ? s : null)!);
      // The last good list stays on screen; the failure is said once, with a way to try again.
      setLists((last) => {
        if (!last) setListError(failure.text);
        else toast({ kind: 'error', text: i18n.t('popup.listOutOfDate', [failure.text]), details: failure.details });
        return last;
      });
      return;
    }
    setListError(null);
    setLists({ credentials: c.data.credentials, secrets: s.data.pipelineSecrets });
    // Once the list has painted: the badge follows what the popup just saw, and the forms are fetched for later.
    setTimeout(() => {
      void latchkey.refreshExpiryBadge();
      void loadForms();
    }, 0);
  }, [current]);

  useEffect(() => void loadWorkspaces(), [loadWorkspaces]);
  useEffect(() => {
    setLists(null);
    setListError(null);
    void loadLists();
  }, [loadLists]);

  if (problem)
    return (
      <main class={inOwnWindow ? "popup windowed" : "popup"}>
        <Header />
        {problem.disconnected ? (
          <div class="empty">
            <p>{problem.message}</p>
            <button type="button" class="primary" onClick={() => browser.runtime.openOptionsPage()}>
              {i18n.t('popup.openOptionsToConnect')}
            </button>
          </div>
        ) : (
          <Banner kind="error" onRetry={loadWorkspaces}>
            {problem.message}
          </Banner>
        )}
      </main>
    );
  if (!workspaces || !current || draft === undefined)
    return (
      <main class={inOwnWindow ? "popup windowed" : "popup"}>
        <Header />
        <Spinner label={i18n.t('popup.loadingWorkspaces')} />
      </main>
    );

  const canManage = roleAtLeast(current.role, PERMISSIONS.manage);
  const tabs: Array<[Tab, string, number | undefined]> = [
    ['credentials', i18n.t('popup.credentialsTab'), lists?.credentials.length],
    ['secrets', i18n.t('popup.secretsTab'), lists?.secrets.length],
  ];
  return (
    <main class={inOwnWindow ? "popup windowed" : "popup"}>
      <Header>
        <label class="visually-hidden" for="workspace">
          {i18n.t('popup.workspace')}
        </label>
        <select
          id="workspace"
          value={current.id}
          onChange={async (e) => {
            const next = workspaces.find((w) => w.id === (e.target as HTMLSelectElement).value)!;
            setDraft(null);
            setCurrent(next);
            await Promise.all([workspaceItem.setValue(next.id), lastWorkspaceItem.setValue({ id: next.id, personal: next.kind === 'personal' })]);
          }}
        >
          {workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {workspaceLabel(w)} · {w.role}
            </option>
          ))}
        </select>
      </Header>
      <div role="tablist" aria-label={i18n.t('popup.tabsLabel')} class="tabs"
        onKeyDown={(e) => {
          if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
          const next = tab === 'credentials' ? 'secrets' : 'credentials';
          setTab(next);
          (document.getElementById(`tab-${next}`) as HTMLElement | null)?.focus();
        }}>
        {tabs.map(([id, label, count]) => (
          <button key={id} id={`tab-${id}`} role="tab" type="button" aria-selected={tab === id} aria-controls={`panel-${id}`} tabIndex={tab === id ? 0 : -1} onClick={() => setTab(id)}>
            {label}
            {count !== undefined ? <span class="count">{count}</span> : null}
          </button>
        ))}
      </div>
      <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} class="panel">
        {listError ? (
          <Banner kind="error" onRetry={loadLists}>
            {listError}
          </Banner>
        ) : !lists ? (
          <Spinner label={i18n.t('common.loading')} />
        ) : tab === 'credentials' ? (
          <CredentialsView key={current.id} workspace={current} canManage={canManage} items={lists.credentials} reload={loadLists}
            restored={draft?.kind === 'credentials' ? { editingId: draft.editingId, draft: draft.draft } : null} />
        ) : (
          <SecretsView key={current.id} workspace={current} canManage={canManage} items={lists.secrets} reload={loadLists}
            restored={draft?.kind === 'secret' ? { editingId: draft.editingId, name: draft.name } : null} />
        )}
      </div>
    </main>
  );
}

function Header({ children }: { children?: preact.ComponentChildren }) {
  return (
    <header class="header">
      <h1 class="brand">
        <KeyIcon /> {i18n.t('app.name')}
      </h1>
      {children}
      {inOwnWindow ? null : (
        <button
          type="button"
          class="icon"
          title={i18n.t('popup.popOutTitle')}
          aria-label={i18n.t('popup.popOutLabel')}
          onClick={async () => {
            await browser.windows.create({ url: browser.runtime.getURL('/popup.html?window=1'), type: 'popup', width: 420, height: 640 });
            window.close();
          }}
        >
          <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d="M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" />
          </svg>
        </button>
      )}
      <button type="button" class="icon" title={i18n.t('popup.options')} aria-label={i18n.t('popup.options')} onClick={() => browser.runtime.openOptionsPage()}>
        ⚙
      </button>
    </header>
  );
}
