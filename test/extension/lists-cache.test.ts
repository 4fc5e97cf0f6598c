/**
 * The lists the popup shows at once when it opens (stale-while-revalidate, lib/items.ts listsItem): kept per
 * workspace for the connection that received them, never the token, and dropped on every change, on a refused
 * token or workspace and on a lost connection; an answer asked for before a change is never kept.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createLatchkeyService } from '../../extension/lib/api';
import { listsItem } from '../../extension/lib/items';
import { accessTokenItem } from '../../extension/lib/storage';
import { connectedTo } from './connected';

const cred = (id: string, name: string) => ({ id, name, provider: 'github', category: 'git', dateCreated: '2026-01-01T00:00:00Z', lastUpdated: '2026-01-01T00:00:00Z', status: 'AVAILABLE', keys: { discriminator: 'github', username: 'u' } });

/** A stand-in worker whose credentials and status the test sets, and whose answers it can hold back. */
function fakeWorker() {
  const state = { credentials: [cred('1', 'one'), cred('2', 'two')], status: 200, hold: null as Promise<void> | null };
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const json = (data: unknown, status = 200) => new Response(JSON.stringify(data), { status, headers: { 'content-type': 'application/json' } });
    if (state.status !== 200) return json({ message: 'Invalid or expired token' }, state.status);
    if (url.pathname === '/credentials' && method === 'GET') {
      const answer = json({ credentials: state.credentials.map((c) => ({ ...c })) });
      if (state.hold) await state.hold;
      return answer;
    }
    if (url.pathname === '/pipeline-secrets' && method === 'GET') return json({ pipelineSecrets: [{ id: 5, name: 'S', dateCreated: 'x', lastUpdated: 'x' }], totalSize: 1 });
    if (url.pathname.startsWith('/credentials/') && method === 'DELETE') {
      state.credentials = state.credentials.filter((c) => c.id !== url.pathname.split('/')[2]);
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/credentials' && method === 'POST') return json({ credentialsId: '9' });
    return json({ message: 'not found' }, 404);
  });
  return { fetch, state };
}

describe('the lists cache', () => {
  const worker = connectedTo('lk_test_token_value', fakeWorker);

  /** The cache once the background's writes are done. */
  const cached = async () => {
    await new Promise((r) => setTimeout(r, 10));
    return listsItem.getValue();
  };

  it('keeps each workspace’s lists for the connection that received them, never the token', async () => {
    const service = createLatchkeyService();
    await service.listCredentials(null);
    await service.listCredentials('200');
    await service.listSecrets('200');
    const cache = await cached();
    expect(Object.keys(cache!.lists).sort()).toEqual(['200', 'personal']);
    expect(cache!.lists['200']!.credentials!.map((c) => c.name)).toEqual(['one', 'two']);
    expect(cache!.lists['200']!.secrets!.map((s) => s.name)).toEqual(['S']);
    expect(cache!.owner).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).not.toContain('lk_test_token_value');
    // Another token: what the first one received goes.
    await accessTokenItem.setValue('lk_other');
    await service.listCredentials('300');
    const other = await cached();
    expect(other!.owner).not.toBe(cache!.owner);
    expect(Object.keys(other!.lists)).toEqual(['300']);
  });

  it('drops them on every change, and never keeps an answer asked for before one', async () => {
    const service = createLatchkeyService();
    await service.listCredentials('200');
    expect(await cached()).not.toBeNull();
    await service.deleteCredentials('200', '1');
    expect(await cached()).toBeNull();
    await service.listCredentials('200');
    expect((await cached())!.lists['200']!.credentials!.map((c) => c.name)).toEqual(['two']);
    await service.createCredentials('200', { credentials: { name: 'x', provider: 'github', keys: { username: 'u', password: 'p' } } } as never);
    expect(await cached()).toBeNull();

    // A list asked for, then a delete answered before it: the list (which still has the deleted one) is not kept.
    let release = () => {};
    worker().state.hold = new Promise<void>((r) => (release = r));
    const listing = service.listCredentials('200');
    await new Promise((r) => setTimeout(r, 0));
    worker().state.hold = null;
    await service.deleteCredentials('200', '2');
    release();
    expect((await listing).ok).toBe(true);
    expect(await cached()).toBeNull();
  });

  it('drops them when the token or the workspace is refused or the extension is disconnected, and on request (options)', async () => {
    const service = createLatchkeyService();
    await service.listCredentials('200');
    worker().state.status = 401;
    expect((await service.listCredentials('200')).ok).toBe(false);
    expect(await cached()).toBeNull();

    worker().state.status = 200;
    await service.listCredentials('200');
    worker().state.status = 403; // no longer a member of the workspace
    expect((await service.listCredentials('200')).ok).toBe(false);
    expect(await cached()).toBeNull();

    worker().state.status = 200;
    await service.listCredentials('200');
    await accessTokenItem.removeValue();
    expect(await service.listCredentials('200')).toMatchObject({ ok: false, reason: 'not-connected' });
    expect(await cached()).toBeNull();

    await accessTokenItem.setValue('lk_test_token_value');
    await service.listCredentials('200');
    await service.forgetLists();
    expect(await cached()).toBeNull();
  });
});
