/**
 * The storage.local and storage.session values of lib/storage.ts, without the access token: what the popup reads
 * (it never needs the token, which the background uses), so the popup's scripts do not carry IndexedDB's helpers.
 */
import { browser } from 'wxt/browser';
import type { Workspace } from '../../shared/api';

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
export const KEYS = { workspace: 'workspaceId', draft: 'draft', seen: 'workspaces' } as const;

export const serverUrlItem = storageItem('local', 'serverUrl', '');
export const workspaceItem = storageItem('local', KEYS.workspace, '');
/**
 * The workspace list the popup last received, for this browser session only (storage.session: memory, out of
 * content scripts' reach): the next popup shows it and asks for the lists at once, then refreshes it.
 */
export const seenWorkspacesItem = storageItem<Workspace[] | null>('session', KEYS.seen, null);
/** The workspace a captured token was last saved to: the capture panel offers it first next time. */
export const captureWorkspaceItem = storageItem('local', 'captureWorkspaceId', '');
