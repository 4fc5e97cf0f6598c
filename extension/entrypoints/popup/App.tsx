import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { Credentials, PipelineSecret, Workspace } from '../../../shared/api';
import { PERMISSIONS, roleAtLeast } from '../../../shared/roles';
import { CredentialsView } from '../../components/CredentialsView';
import { SecretsView } from '../../components/SecretsView';
import { KeyIcon } from '../../components/KeyIcon';
import { loadForms } from '../../components/list';
import { ToastProvider, useToast } from '../../components/toast';
import { Banner, Spinner } from '../../components/ui';
import type { Draft } from '../../lib/drafts';
import type { Failure } from '../../lib/api';
import { plainFailure } from '../../lib/plain-errors';
import { latchkey } from '../../lib/service';
import { seenWorkspacesItem, workspaceItem } from '../../lib/items';
import { openingOf, pickWorkspace, readStored } from '../../lib/opening';
import { apiWorkspaceId, workspaceLabel } from '../../lib/workspaces';
import { i18n } from '#i18n';

type Tab = 'credentials' | 'secrets';
/** A workspace's lists; the secrets arrive after the credentials (null until then). */
type Lists = { credentials: Credentials[]; secrets: PipelineSecret[] | null };
type ListAnswer<M extends 'listCredentials' | 'listSecrets'> = Promise<Awaited<ReturnType<(typeof latchkey)[M]>>>;
type ListAnswers = { credentials: ListAnswer<'listCredentials'>; secrets: ListAnswer<'listSecrets'> };
type CachedLists = ReturnType<typeof openingOf>['lists'];

/**
 * What the popup opens on (lib/opening.ts) and, when this browser session has seen the workspace list, that
 * workspace's lists: all asked for as the script runs (before the first render, whose effects wait for a frame). The
 * stored values and the background's `opening` answer (that workspace's credentials, which it reads the workspace
 * for itself) are asked for together rather than one after the other. A retry reads afresh.
 */
function openLists(withOpening = false) {
  const answer = withOpening ? latchkey.opening().catch(() => null) : Promise.resolve(null);
  return readStored(true).then((stored) => {
    const o = openingOf(stored);
    const ws = o.cached;
    if (!ws) return { ...o, first: null };
    const wsId = apiWorkspaceId(ws);
    const credentials = answer.then((e) => (e?.workspaceId === ws.id ? e.credentials : latchkey.listCredentials(wsId)));
    return { ...o, first: fetchLists(wsId, credentials) };
  });
}
let opening: ReturnType<typeof openLists> | null = openLists(true);

/**
 * Resolves once the list has had its frame: the requests that wait on it (secrets, the fresh workspace list) stay
 * out of the way of the credentials' first paint. A timer stands in for a frame that never comes (a hidden page).
 */
const afterPaint = () =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => (clearTimeout(timer), setTimeout(resolve, 0)));
  });

/** The credentials first (the tab the popup opens on); the secrets once those have painted, so the two do not compete. */
function fetchLists(wsId: string | null, credentials: ListAnswers['credentials'] = latchkey.listCredentials(wsId)): ListAnswers {
  return { credentials, secrets: credentials.then((c) => (c.ok ? afterPaint().then(() => latchkey.listSecrets(wsId)) : c)) };
}

/** A fresh list that says what the one on screen says leaves it as it is: no second render of the same rows. */
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

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
  /** The lists on screen are the ones this session last received (lib/items.ts listsItem), until the fresh answer. */
  const [stale, setStale] = useState(false);
  /** The workspace list on screen is the one this session last received, until the fresh one is in. */
  const [refreshing, setRefreshing] = useState(false);

  /** The workspace whose lists the popup is showing: an answer for another one (switched meanwhile) is dropped. */
  const shown = useRef<string | null>(null);
  shown.current = current?.id ?? null;
  /** Lists asked for before the workspace list came back, for the workspace shown from the session's last list, and
   *  the lists this session last received for it (shown until the answer is in). */
  const early = useRef<{ id: string; lists: ListAnswers; kept: CachedLists | undefined } | null>(null);
  const loadWorkspaces = useCallback(async () => {
    setProblem(null);
    const { saved, seen, wanted, first, lists: kept } = await (opening ?? openLists());
    opening = null; // a retry reads afresh
    const pick = (list: Workspace[]) => pickWorkspace(list, wanted);
    const open = (list: Workspace[]) => {
      const ws = pick(list);
      setWorkspaces(list);
      setDraft(saved && saved.workspaceId === ws?.id ? saved : null);
      if (saved?.kind === 'secret') setTab('secrets');
      setCurrent(ws);
      return ws;
    };
    // The workspace list this browser session last saw is shown at once, its lists already asked for; the fresh
    // workspace list is asked for once the credentials are in (the two would compete) and replaces it.
    const cached = seen ? open(seen) : null;
    if (cached && first) early.current = { id: cached.id, lists: first, kept };
    setRefreshing(Boolean(cached));
    const res = await (first ? first.credentials.then(afterPaint).then(() => latchkey.workspaces()) : latchkey.workspaces());
    setRefreshing(false);
    if (!res.ok) return setProblem({ message: res.message, disconnected: res.status === 0 && res.reason === 'not-connected' || res.status === 401 });
    void seenWorkspacesItem.setValue(res.data.workspaces);
    if (!cached) return void open(res.data.workspaces);
    // The workspace on screen stays (the user may have switched meanwhile), with its current name and role, unless
    // it is gone.
    const still = res.data.workspaces.find((w) => w.id === shown.current);
    if (!still) setDraft(null);
    setWorkspaces(res.data.workspaces);
    setCurrent(still ?? pick(res.data.workspaces));
  }, []);

  const listed = current ? { id: current.id, wsId: apiWorkspaceId(current) } : null;
  const loadLists = useCallback(async () => {
    if (!listed) return;
    const wsId = listed.wsId;
    const prefetched = early.current?.id === listed.id ? early.current.lists : null;
    early.current = null;
    const answers = prefetched ?? fetchLists(wsId);
    // The last good list stays on screen; a failure is said once, with a way to try again.
    const failed = (f: Failure, had: (last: Lists | null) => boolean) => {
      const failure = plainFailure(f);
      setLists((last) => {
        if (!had(last)) setListError(failure.text);
        else toast({ kind: 'error', text: i18n.t('popup.listOutOfDate', [failure.text]), details: failure.details });
        return last;
      });
    };
    const c = await answers.credentials;
    if (shown.current !== listed.id) return;
    setStale(false);
    // A refused token, a workspace no longer open to the user or a lost connection: what was kept for it goes.
    if (!c.ok && (c.status === 401 || c.status === 403 || c.reason === 'not-connected')) setLists(null);
    if (!c.ok) return failed(c, (last) => last !== null);
    setListError(null);
    setLists((last) => (last && same(last.credentials, c.data.credentials) ? last : { credentials: c.data.credentials, secrets: last?.secrets ?? null }));
    const s = await answers.secrets;
    if (shown.current !== listed.id) return;
    if (!s.ok) return failed(s, (last) => last?.secrets != null);
    setLists((last) => last && (same(last.secrets, s.data.pipelineSecrets) ? last : { ...last, secrets: s.data.pipelineSecrets }));
    // Once the list has painted: the badge follows what the popup just saw, and the forms are fetched for later.
    setTimeout(() => {
      void latchkey.refreshExpiryBadge();
      void loadForms();
    }, 0);
  }, [listed?.id, listed?.wsId]);

  useEffect(() => void loadWorkspaces(), [loadWorkspaces]);
  // Before paint, not a frame later: the lists may already be in.
  useLayoutEffect(() => {
    const kept = early.current?.id === listed?.id ? early.current?.kept : undefined;
    setLists(kept?.credentials ? { credentials: kept.credentials, secrets: kept.secrets ?? null } : null);
    setStale(Boolean(kept?.credentials));
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
    ['secrets', i18n.t('popup.secretsTab'), lists?.secrets?.length],
  ];
  return (
    <main class={inOwnWindow ? "popup windowed" : "popup"} aria-busy={stale || refreshing || undefined}>
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
            await workspaceItem.setValue(next.id);
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
        ) : !lists || (tab === 'secrets' && !lists.secrets) ? (
          <Spinner label={i18n.t('common.loading')} />
        ) : tab === 'credentials' ? (
          <CredentialsView key={current.id} workspace={current} canManage={canManage} items={lists.credentials} reload={loadLists}
            restored={draft?.kind === 'credentials' ? { editingId: draft.editingId, draft: draft.draft } : null} />
        ) : (
          <SecretsView key={current.id} workspace={current} canManage={canManage} items={lists.secrets ?? []} reload={loadLists}
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
