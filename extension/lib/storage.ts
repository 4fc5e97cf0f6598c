/**
 * What the extension keeps: the worker's URL, the last workspace chosen, and the access token (in storage.local
 * only). Nothing else secret is ever stored: captured tokens and form values live in memory until saved.
 */
import { storage } from 'wxt/utils/storage';

export const serverUrlItem = storage.defineItem<string>('local:serverUrl', { fallback: '' });
export const accessTokenItem = storage.defineItem<string>('local:accessToken', { fallback: '' });
export const workspaceItem = storage.defineItem<string>('local:workspaceId', { fallback: '' });

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
