import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { fieldOfMessage } from '../../extension/lib/api';
import { accessTokenItem, moveLegacyToken, normalizeServerUrl, originPattern, serverUrlItem, workspaceItem } from '../../extension/lib/storage';

describe('extension storage', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await accessTokenItem.removeValue();
  });

  it('keeps the token out of every storage area content scripts can read, and nothing secret besides it', async () => {
    await serverUrlItem.setValue('https://latchkey.example.com');
    await accessTokenItem.setValue('lk_token');
    await workspaceItem.setValue('12345');
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ serverUrl: 'https://latchkey.example.com', workspaceId: '12345' });
    expect(await fakeBrowser.storage.sync.get(null)).toEqual({});
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
    expect(await accessTokenItem.getValue()).toBe('lk_token');
    await accessTokenItem.removeValue();
    expect(await accessTokenItem.getValue()).toBe('');
  });

  it('moves a token an older version left in storage.local', async () => {
    await fakeBrowser.storage.local.set({ accessToken: 'lk_old', serverUrl: 'https://latchkey.example.com' });
    await moveLegacyToken();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ serverUrl: 'https://latchkey.example.com' });
    expect(await accessTokenItem.getValue()).toBe('lk_old');
    // A newer token already in place wins; the old one is still removed.
    await fakeBrowser.storage.local.set({ accessToken: 'lk_older' });
    await moveLegacyToken();
    expect(await accessTokenItem.getValue()).toBe('lk_old');
    expect(await fakeBrowser.storage.local.get('accessToken')).toEqual({});
  });

  it('normalizes the worker URL and asks for exactly its origin', () => {
    expect(normalizeServerUrl(' https://latchkey.example.com/ ')).toBe('https://latchkey.example.com');
    expect(normalizeServerUrl('latchkey.example.com')).toBe('https://latchkey.example.com');
    expect(normalizeServerUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeServerUrl('https://example.com/latchkey/')).toBe('https://example.com/latchkey');
    for (const bad of ['', 'ftp://x', 'https://user:pw@x.com', 'https://x.com/?q=1', 'not a url at all']) expect(normalizeServerUrl(bad), bad).toBeNull();
    expect(originPattern('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787/*');
  });

  it('maps worker messages to the form field they name', () => {
    expect(fieldOfMessage("Field 'credentials.keys.secretKey' must not be empty")).toBe('secretKey');
    expect(fieldOfMessage("Field 'credentials.name' must be 1-100 characters")).toBe('name');
    expect(fieldOfMessage("Field 'value' is required")).toBe('value');
    expect(fieldOfMessage("Credentials named 'x' already exist in this workspace")).toBe('name');
    expect(fieldOfMessage('Internal error')).toBeUndefined();
  });
});
