/**
 * The toolbar badge counts the credentials that expire within a week in every workspace the user has. Counting lists
 * every workspace, so one count runs at a time: calls made meanwhile share one more count after it, whose answer is at
 * least as new as each of those calls.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createLatchkeyService } from '../../extension/lib/api';
import { connectedTo } from './connected';

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const cred = (id: string, name: string, expiresAt?: string) => ({
  id, name, provider: 'github', category: 'git', dateCreated: '2026-01-01T00:00:00Z', lastUpdated: '2026-01-01T00:00:00Z', status: 'AVAILABLE',
  keys: { discriminator: 'github', username: 'u' }, ...(expiresAt ? { expiresAt } : {}),
});
const workspace = (id: string, kind: 'personal' | 'organization', name: string) => ({ id, kind, name, role: 'owner', ...(kind === 'organization' ? { orgName: 'acme' } : {}) });

/** A stand-in worker with a personal and an organization workspace, whose credentials lists the test can hold back. */
function fakeWorker() {
  const state = {
    lists: { personal: [cred('1', 'mine', inDays(2))], '200': [cred('2', 'team-soon', inDays(5)), cred('3', 'team-later', inDays(40))] } as Record<string, ReturnType<typeof cred>[]>,
    gate: null as { opened: Promise<void>; open: () => void } | null,
    listCalls: 0,
  };
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    const json = (data: unknown) => new Response(JSON.stringify(data), { status: 200, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/workspaces') return json({ workspaces: [workspace('100', 'personal', 'alan'), workspace('200', 'organization', 'pipelines')] });
    if (url.pathname === '/credentials') {
      state.listCalls++;
      const answer = json({ credentials: state.lists[url.searchParams.get('workspaceId') ?? 'personal']!.map((c) => ({ ...c })) });
      if (state.gate) await state.gate.opened; // the list as it was when asked for, answered later
      return answer;
    }
    return json({ credentials: [] });
  });
  return { fetch, state };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('the expiry badge', () => {
  const worker = connectedTo('lk_test_token_value', fakeWorker);

  it('counts what expires within a week across the workspaces, and names them in the title', async () => {
    const service = createLatchkeyService();
    expect(await service.refreshExpiryBadge()).toBe(2);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
    expect(await fakeBrowser.action.getTitle({})).toMatch(/^Latchkey: 2 credential\(s\) expire within 7 days \(mine, team-soon\)$/);
    worker().state.lists['200'] = [];
    worker().state.lists.personal = [];
    expect(await service.refreshExpiryBadge()).toBe(0);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('');
  });

  it('runs one count at a time: calls made meanwhile share one more count, which sees what changed before them', async () => {
    const service = createLatchkeyService();
    const { state } = worker();
    state.gate = gate();
    const first = service.refreshExpiryBadge();
    await vi.waitFor(() => expect(state.listCalls).toBe(1));
    // Meanwhile, after the first count was answered the personal list, one there is set to expire; the popup is
    // opened five times.
    state.lists.personal!.push(cred('4', 'mine-new', inDays(1)));
    const later = Array.from({ length: 5 }, () => service.refreshExpiryBadge());
    state.gate.open();
    state.gate = null;
    expect(await first).toBe(2); // its personal list predates the change
    expect(await Promise.all(later)).toEqual([3, 3, 3, 3, 3]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('3');
    // Two counts, one list per workspace each: not six.
    expect(state.listCalls).toBe(4);
    // Once both are done, the next call counts afresh.
    state.lists['200'] = [];
    expect(await service.refreshExpiryBadge()).toBe(2);
    expect(state.listCalls).toBe(6);
  });
});
