/**
 * The storage.local and storage.session values of lib/storage.ts, without the access token: what the popup reads
 * (it never needs the token, which the background uses), so the popup's scripts do not carry IndexedDB's helpers.
 */
import { browser } from 'wxt/browser';
import type { Credentials, PipelineSecret, Workspace } from '../../shared/api';

/**
 * One value in a storage area, under the same key WXT's storage used ('local:serverUrl' is `serverUrl` in
 * storage.local), so stored values carry over; a few lines instead of @wxt-dev/storage in every page.
 */
export function storageItem<T>(area: 'local' | 'session', key: string, fallback: T) {
  const at = () => browser.storage[area];
  return {
    getValue: async (): Promise<T> => ((await at().get(key))[key] as T | undefined) ?? fallback,
    setValue: (value: T): Promise<void> => at().set({ [key]: value }),
    removeValue: (): Promise<void> => at().remove(key),
  };
}

/** The keys of what the popup opens on (lib/opening.ts reads them together). */
export const KEYS = { workspace: 'workspaceId', draft: 'draft', seen: 'workspaces', lists: 'lists' } as const;

export const serverUrlItem = storageItem('local', 'serverUrl', '');
export const workspaceItem = storageItem('local', KEYS.workspace, '');
/**
 * The workspace list the popup last received, for this browser session only (storage.session: memory, out of
 * content scripts' reach): the next popup shows it and asks for the lists at once, then refreshes it.
 */
export const seenWorkspacesItem = storageItem<Workspace[] | null>('session', KEYS.seen, null);
/** The workspace a captured token was last saved to: the capture panel offers it first next time. */
export const captureWorkspaceItem = storageItem('local', 'captureWorkspaceId', '');
/**
 * The lists this browser session last received, per workspace (its API id, 'personal' for the personal one), so the
 * popup shows them at once and replaces them with the answer it asks for as it opens (stale-while-revalidate).
 * storage.session: memory only, out of content scripts' reach. Names, providers and the non-secret fields the API
 * returns; no secret value ever reaches the extension. Written by the background after each list it receives for
 * the connection `owner` (a hash of server and token); dropped on every change (lib/api.ts) and on connecting or
 * disconnecting (options).
 */
export type ListsCache = { owner: string; lists: Record<string, { credentials?: Credentials[]; secrets?: PipelineSecret[] }> };
const listsText = storageItem<string | null>('session', KEYS.lists, null);
/** The cache from its stored text: one JSON text, one value to copy between the browser's processes rather than
 *  thousands, so a long list reads in a fraction of the time as the popup opens. */
export function parseLists(text: unknown): ListsCache | null {
  try {
    return typeof text === 'string' ? (JSON.parse(text) as ListsCache) : null;
  } catch {
    return null;
  }
}
export const listsItem = {
  getValue: async (): Promise<ListsCache | null> => parseLists(await listsText.getValue()),
  setValue: (cache: ListsCache): Promise<void> => listsText.setValue(JSON.stringify(cache)),
  removeValue: (): Promise<void> => listsText.removeValue(),
};
export const listsKey = (workspaceId: string | null) => workspaceId ?? 'personal';
