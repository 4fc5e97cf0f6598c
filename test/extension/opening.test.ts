/**
 * What the popup opens on (lib/opening.ts), read in one call per storage area, and the background's `opening`
 * answer: the credentials of that same workspace, asked for while the popup reads it.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createLatchkeyService } from '../../extension/lib/api';
import { draftItem } from '../../extension/lib/drafts';
import { seenWorkspacesItem, workspaceItem } from '../../extension/lib/items';
import { readOpening } from '../../extension/lib/opening';
import { connectedTo, SERVER } from './connected';

const ws = (id: string, kind: 'personal' | 'organization') => ({ id, name: `ws${id}`, fullName: `ws${id}`, kind, orgId: kind === 'personal' ? null : '7', orgName: kind === 'personal' ? null : 'acme', role: 'owner' as const });

describe('what the popup opens on', () => {
  const answer = (input: RequestInfo | URL) =>
    new Response(JSON.stringify({ credentials: [{ id: '1', name: new URL(String(input)).searchParams.get('workspaceId') ?? 'personal-one' }] }), { headers: { 'content-type': 'application/json' } });
  const worker = connectedTo('lk_test', () => ({ fetch: vi.fn(async (input: RequestInfo | URL) => answer(input)) }));

  it('is a form left open, else the workspace last chosen, from the workspace list this session saw', async () => {
    expect(await readOpening()).toEqual({ saved: null, seen: null, wanted: '', cached: null });
    await seenWorkspacesItem.setValue([ws('100', 'personal'), ws('200', 'organization')]);
    expect((await readOpening()).cached?.id).toBe('100'); // nothing chosen yet: the first
    await workspaceItem.setValue('200');
    expect(await readOpening()).toMatchObject({ wanted: '200', cached: { id: '200' } });
    await workspaceItem.setValue('999'); // gone since: the first
    expect((await readOpening()).cached?.id).toBe('100');
    await draftItem.setValue({ kind: 'secret', workspaceId: '200', editingId: null, name: 'N' });
    expect(await readOpening()).toMatchObject({ saved: { kind: 'secret' }, wanted: '200', cached: { id: '200' } });
  });

  it('the background answers with the credentials of that workspace, or nothing before the session’s first workspace list', async () => {
    const service = createLatchkeyService();
    expect(await service.opening()).toBeNull();
    expect(worker().fetch).not.toHaveBeenCalled();
    await seenWorkspacesItem.setValue([ws('100', 'personal'), ws('200', 'organization')]);
    await workspaceItem.setValue('200');
    expect(await service.opening()).toEqual({ workspaceId: '200', credentials: { ok: true, data: { credentials: [{ id: '1', name: '200' }] } } });
    expect(String(worker().fetch.mock.calls.at(-1)![0])).toBe(`${SERVER}/credentials?workspaceId=200`);
    await draftItem.setValue({ kind: 'secret', workspaceId: '100', editingId: null, name: 'N' });
    expect(await service.opening()).toMatchObject({ workspaceId: '100', credentials: { ok: true } });
    expect(String(worker().fetch.mock.calls.at(-1)![0])).toBe(`${SERVER}/credentials`);
  });
});
