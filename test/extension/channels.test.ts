import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createLatchkeyService } from '../../extension/lib/api';
import { answer, callFromPage, captureRegistry, messageHandlers, captureSaveFor, captureTargetsFor, isExtensionPage, Refused, type Self, type Sender } from '../../extension/lib/channels';
import { connectedTo } from './connected';

const SELF: Self = { id: 'abcdefghijklmnopabcdefghijklmnop', base: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/' };
const popup: Sender = { id: SELF.id, url: `${SELF.base}popup.html`, origin: SELF.base.slice(0, -1) };
const capturePage: Sender = { id: SELF.id, url: `${SELF.base}capture.html#x`, origin: SELF.base.slice(0, -1), tab: { id: 3 } };
const hub: Sender = { id: SELF.id, url: 'https://hub.docker.com/settings/personal-access-tokens', origin: 'https://hub.docker.com', tab: { id: 1 } };
const quay: Sender = { id: SELF.id, url: 'https://quay.io/organization/acme?tab=robots', origin: 'https://quay.io', tab: { id: 2 } };

const ws = (id: string, kind: 'personal' | 'organization', role: string, name = `ws${id}`) => ({ id, name, fullName: name, kind, orgId: kind === 'personal' ? null : '7', orgName: kind === 'personal' ? null : 'acme', role });

/** A stand-in worker: what the background asks for, recorded. */
function fakeWorker() {
  const requests: Array<{ method: string; url: URL; body: unknown }> = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method: init?.method ?? 'GET', url, body });
    const json = (data: unknown, status = 200) => new Response(JSON.stringify(data), { status, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/workspaces') return json({ workspaces: [ws('100', 'personal', 'owner', 'alice'), ws('200', 'organization', 'admin', 'lab'), ws('300', 'organization', 'view', 'shared')] });
    if (url.pathname === '/credentials' && (init?.method ?? 'GET') === 'GET')
      return json({ credentials: url.searchParams.get('workspaceId') === '200' ? [{ id: '1', name: 'dockerhub-alice', provider: 'container-reg', keys: {} }] : [] });
    if (url.pathname === '/credentials' && init?.method === 'POST') return json({ credentialsId: '9' });
    return json({ message: 'not found' }, 404);
  });
  return { fetch, requests };
}

describe('background channels', () => {
  const worker = connectedTo('lk_test', fakeWorker);

  it('tells extension pages from content scripts by the sender, not the message', () => {
    expect(isExtensionPage(popup, SELF)).toBe(true);
    expect(isExtensionPage(capturePage, SELF)).toBe(true);
    expect(isExtensionPage(hub, SELF)).toBe(false);
    expect(isExtensionPage({ ...popup, id: 'someoneelse' }, SELF)).toBe(false);
    // A page URL that merely contains the extension's URL is not under it.
    expect(isExtensionPage({ id: SELF.id, url: `https://hub.docker.com/?${SELF.base}`, origin: 'https://hub.docker.com' }, SELF)).toBe(false);
    expect(isExtensionPage({ id: SELF.id, url: `${SELF.base}popup.html`, origin: 'https://hub.docker.com' }, SELF)).toBe(false);
    expect(captureRegistry(hub, SELF)).toBe('docker.io');
    expect(captureRegistry(quay, SELF)).toBe('quay.io');
    expect(captureRegistry({ ...hub, url: 'https://hub.docker.com.evil.example/', origin: 'https://hub.docker.com.evil.example' }, SELF)).toBeNull();
    expect(captureRegistry({ ...hub, tab: undefined }, SELF)).toBeNull();
    expect(captureRegistry(popup, SELF)).toBeNull();
    expect(captureRegistry(capturePage, SELF)).toBeNull();
    expect(captureRegistry({ id: SELF.id, url: 'https://constructor/', origin: 'constructor', tab: {} }, SELF)).toBeNull();
  });

  it('refuses every full-service method to a content script, and calls nothing', async () => {
    const service = createLatchkeyService();
    for (const [method, args] of [
      ['listCredentials', [null]],
      ['workspaces', []],
      ['updateCredentials', [null, '1', { credentials: { name: 'x', provider: 'container-reg', keys: { registry: 'evil.example' } } }]],
      ['deleteCredentials', [null, '1']],
      ['listSecrets', [null]],
      ['createSecret', [null, 'X', 'v']],
      ['testConnection', ['https://evil.example', 'lk_x']],
    ] as const) {
      expect(() => callFromPage(service, { method, args }, hub, SELF), method).toThrow(Refused);
      expect(() => callFromPage(service, { method, args }, quay, SELF), method).toThrow(/only Latchkey’s own pages/);
    }
    expect(worker().fetch).not.toHaveBeenCalled();
  });

  it('serves its own methods to extension pages, and refuses unknown ones', async () => {
    const service = createLatchkeyService();
    const res = (await callFromPage(service, { method: 'listCredentials', args: ['200'] }, popup, SELF)) as { ok: boolean; data: { credentials: unknown[] } };
    expect(res.ok).toBe(true);
    expect(res.data.credentials).toHaveLength(1);
    for (const method of ['holdCapture', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'fetch'])
      expect(() => callFromPage(service, { method, args: [] }, popup, SELF), method).toThrow(/is not a Latchkey service method/);
    for (const bad of [null, 'listCredentials', { method: 'workspaces' }, { method: 'workspaces', args: [], extra: 1 }, { method: 'workspaces', args: [1, 2, 3, 4, 5] }])
      expect(() => callFromPage(service, bad, popup, SELF)).toThrow(Refused);
  });

  it('lists only where a captured token may be saved: id, label, role and a free suggested name', async () => {
    const service = createLatchkeyService();
    const res = await captureTargetsFor(service, { nameBase: 'dockerhub-alice' }, hub, SELF);
    expect(res).toEqual({
      ok: true,
      data: [
        { id: '100', label: 'Personal', role: 'owner', suggestedName: 'dockerhub-alice' },
        { id: '200', label: 'acme / lab', role: 'admin', suggestedName: 'dockerhub-alice-2' },
      ],
    });
    await expect(captureTargetsFor(service, { nameBase: 'x' }, popup, SELF)).rejects.toThrow(Refused);
    await expect(captureTargetsFor(service, { nameBase: 'x', workspaceId: '1' }, hub, SELF)).rejects.toThrow(Refused);
    await expect(captureTargetsFor(service, { nameBase: 'x' }, { ...hub, origin: 'https://evil.example', url: 'https://evil.example/' }, SELF)).rejects.toThrow(Refused);
  });

  it('saves one container-reg credential for the sender’s registry, whatever the message says', async () => {
    const service = createLatchkeyService();
    const save = { workspaceId: '200', name: 'quay-acme-ci', userName: 'acme+ci', token: 'T0KEN', skipRegistryCheck: false };
    expect(await captureSaveFor(service, save, quay, SELF)).toEqual({ ok: true, data: null });
    const posts = worker().requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.url.pathname).toBe('/credentials');
    expect(posts[0]!.url.searchParams.get('workspaceId')).toBe('200');
    expect(posts[0]!.body).toEqual({ credentials: { name: 'quay-acme-ci', provider: 'container-reg', keys: { userName: 'acme+ci', password: 'T0KEN', registry: 'quay.io' } } });

    // The same message from Docker Hub's page is saved for docker.io, in the personal workspace (no workspaceId).
    await captureSaveFor(service, { ...save, workspaceId: '100' }, hub, SELF);
    const second = worker().requests.filter((r) => r.method === 'POST')[1]!;
    expect(second.url.searchParams.has('workspaceId')).toBe(false);
    expect((second.body as { credentials: { keys: { registry: string } } }).credentials.keys.registry).toBe('docker.io');

    // No other registry, provider, or extra field can be slipped in; nothing else is created.
    for (const extra of [{ registry: 'evil.example' }, { provider: 'aws' }, { credentialsId: '1' }, { keys: { registry: 'evil.example' } }])
      await expect(captureSaveFor(service, { ...save, ...extra }, quay, SELF)).rejects.toThrow(Refused);
    await expect(captureSaveFor(service, save, popup, SELF)).rejects.toThrow(Refused);
    await expect(captureSaveFor(service, save, { ...quay, id: 'other-extension' }, SELF)).rejects.toThrow(Refused);
    // A workspace where the user may not save (view role) or does not belong is refused before anything is sent.
    expect(await captureSaveFor(service, { ...save, workspaceId: '300' }, quay, SELF)).toMatchObject({ ok: false, status: 403, field: 'workspace' });
    expect(await captureSaveFor(service, { ...save, workspaceId: '999' }, quay, SELF)).toMatchObject({ ok: false, status: 403 });
    expect(await captureSaveFor(service, { ...save, name: 'has space' }, quay, SELF)).toMatchObject({ ok: false, status: 400, field: 'name' });
    await expect(captureSaveFor(service, { ...save, name: 'has space', registry: 'evil.example' }, quay, SELF)).rejects.toThrow(Refused);
    expect(worker().requests.filter((r) => r.method !== 'GET')).toHaveLength(2);
  });

  it('answers only its own message types, in the messaging library’s format, and refuses the rest', async () => {
    const handlers = messageHandlers(createLatchkeyService(), SELF);
    const ok = await answer(handlers, { id: 1, type: 'page', data: { method: 'workspaces', args: [] }, timestamp: 1 }, popup);
    expect((ok as { res: { ok: boolean } }).res.ok).toBe(true);
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'listCredentials', 'deleteCredentials', undefined, 42]) {
      const res = await answer(handlers, { id: 1, type, data: {}, timestamp: 1 }, hub);
      expect(res, String(type)).toEqual({ err: { name: 'Error', message: `Refused: '${String(type)}' is not a Latchkey message.`, stack: '' } });
    }
    expect(await answer(handlers, null, hub)).toMatchObject({ err: { message: "Refused: 'undefined' is not a Latchkey message." } });
    expect(await answer(handlers, { type: 'page', data: { method: 'listSecrets', args: [null] } }, hub)).toMatchObject({ err: { message: 'Refused: only Latchkey’s own pages may use its full service.' } });
    const posted = worker().requests.filter((r) => r.method !== 'GET');
    expect(posted).toEqual([]);
  });
});
