/**
 * What the extension keeps: the worker's URL and the last workspace chosen (storage.local), and the access token.
 * Nothing else secret is ever stored: captured tokens and form values live in memory until saved.
 *
 * The access token is not in storage.local: in Manifest V3 content scripts can read storage.local (Firefox cannot
 * restrict it; Chrome's setAccessLevel for `local` is recent), and a compromised hub.docker.com or quay.io renderer
 * runs our content scripts. It lives in IndexedDB under the extension's own origin (chrome-extension://… or
 * moz-extension://…), which only extension pages and the background share; a content script's IndexedDB is the
 * web page's.
 */
import { createStore, del, get, set } from 'idb-keyval';

export { captureWorkspaceItem, seenWorkspacesItem, serverUrlItem, storageItem, workspaceItem } from './items';
import { storageItem } from './items';

/** Where versions before 0.2 kept the token; read once by the background to move it, then removed. */
const legacyTokenItem = storageItem('local', 'accessToken', '');

const TOKEN_KEY = 'accessToken';
let store: ReturnType<typeof createStore> | null = null;
const tokenStore = () => (store ??= createStore('latchkey', 'secrets'));

/** The access token, in the extension origin's IndexedDB (never storage.local). */
export const accessTokenItem = {
  getValue: async (): Promise<string> => ((await get<string>(TOKEN_KEY, tokenStore())) ?? ''),
  setValue: (token: string): Promise<void> => set(TOKEN_KEY, token, tokenStore()),
  removeValue: (): Promise<void> => del(TOKEN_KEY, tokenStore()),
};

/** Moves a token an older version left in storage.local to IndexedDB, so no content script can read it. */
export async function moveLegacyToken(): Promise<void> {
  const legacy = await legacyTokenItem.getValue();
  if (!legacy) return;
  if (!(await accessTokenItem.getValue())) await accessTokenItem.setValue(legacy);
  await legacyTokenItem.removeValue();
}

/** "https://latchkey.example.com/" → "https://latchkey.example.com"; null when it is not an http(s) URL. */
export function normalizeServerUrl(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.username || url.password || url.search || url.hash) return null;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/** The match pattern for the optional host permission of a server URL. */
export const originPattern = (serverUrl: string) => `${new URL(serverUrl).origin}/*`;
