/**
 * What the popup opens on: a form left open (a draft) reopens in its workspace, else the workspace last chosen,
 * taken from the workspace list this browser session last saw (none before the session's first list). Read by the
 * popup for its first render and, at the same time, by the background for the credentials it asks for at once
 * (`opening` in lib/api.ts), so the two agree on the workspace.
 */
import { browser } from 'wxt/browser';
import type { Workspace } from '../../shared/api';
import type { Draft } from './drafts';
import { KEYS, listsKey, parseLists } from './items';
import { apiWorkspaceId } from './workspaces';

export const pickWorkspace = (list: Workspace[], wanted: string) => list.find((w) => w.id === wanted) ?? list[0] ?? null;

/**
 * The stored values the popup opens on, as stored: one read per storage area rather than one per value (the lists
 * cache only when asked for: the popup shows it, the background does not need it).
 */
export function readStored(withLists: boolean): Promise<Record<string, unknown>> {
  const session = [KEYS.draft, KEYS.seen, ...(withLists ? [KEYS.lists] : [])];
  return Promise.all([browser.storage.local.get(KEYS.workspace), browser.storage.session.get(session)]).then(([local, rest]) => ({ ...local, ...rest }));
}

/** What they say: the draft, the workspace list, the workspace wanted and the one opened, and its cached lists. */
export function openingOf(stored: Record<string, unknown>) {
  const saved = (stored[KEYS.draft] as Draft | undefined) ?? null;
  const seen = (stored[KEYS.seen] as Workspace[] | undefined) ?? null;
  const wanted = saved?.workspaceId ?? (stored[KEYS.workspace] as string | undefined) ?? '';
  const cached = seen ? pickWorkspace(seen, wanted) : null;
  return { saved, seen, wanted, cached, lists: cached ? parseLists(stored[KEYS.lists])?.lists[listsKey(apiWorkspaceId(cached))] : undefined };
}

export const readOpening = (withLists = false) => readStored(withLists).then(openingOf);
