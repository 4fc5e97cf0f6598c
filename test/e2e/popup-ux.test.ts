/**
 * The popup as a person meets it when things go wrong or get long: a form survives the popup closing, feedback for a
 * row deep in a long list is seen where the person is, an outage keeps the last good list and recovers, and a server
 * that hangs is reported instead of spinning forever. The extension talks to the worker through a local relay the
 * test can cut (connections refused), break (503) or hang (never answers).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

let stack: Stack;
let orgWorkspaceId = '';
let relayUrl = '';
let relay: Server;
let mode: 'up' | '503' | 'hang' | 'down' | 'slow' = 'up';
const hung: ServerResponse[] = [];

function startRelay(target: string): Promise<Server> {
  const t = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (mode === 'down') return req.socket.destroy();
    if (mode === 'hang') return void hung.push(res);
    if (mode === 'slow') return void setTimeout(() => forward(req, res), 1500);
    forward(req, res);
  });
  function forward(req: IncomingMessage, res: ServerResponse) {
    if (mode === '503' && req.method !== 'OPTIONS') {
      // As the worker's own 5xx would: with its CORS answer, so the extension can read the status.
      res.writeHead(503, { 'content-type': 'text/plain', 'access-control-allow-origin': req.headers.origin ?? '*' });
      return res.end('Service Unavailable');
    }
    const upstream = httpRequest({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, host: t.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function api(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const res = await fetch(stack.worker.url + path, {
    method,
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** How many credentials the list holds: each rendered row says the list's size (only the rows in view are rendered). */
const listed = (page: Page) => page.locator('[data-credentials]').first().getAttribute('aria-setsize', { timeout: 1000 }).then(Number).catch(() => 0);

/** Waits until the popup shows fresh answers, not what this browser session last saw (it is aria-busy until then). */
const settled = (page: Page) => expect.poll(() => page.locator('main[aria-busy="true"]').count(), { timeout: 15_000 }).toBe(0);

const toast = (page: Page) => page.locator('.toast-area .toast-text').first().innerText({ timeout: 1000 }).catch(() => '');

/**
 * Once the secrets are in too, the popup has the background count the expiring credentials (the toolbar badge), which
 * lists every workspace: lists this session sees too. This waits for that count (one runs at a time) and one more, so
 * none is left running into what the test does next: a relay cut or hung, or changes made behind the extension.
 */
async function badgeCounted(popup: Page) {
  await expect.poll(() => popup.locator('#tab-secrets .count').count()).toBe(1);
  const answer = await popup.evaluate(() => chrome.runtime.sendMessage({ id: 1, type: 'page', data: { method: 'refreshExpiryBadge', args: [] }, timestamp: Date.now() }));
  expect(answer).toMatchObject({ res: expect.any(Number) });
}

async function openPopup(): Promise<Page> {
  const popup = await stack.browser.context.newPage();
  await popup.goto(`chrome-extension://${stack.browser.extensionId}/popup.html`);
  return popup;
}

beforeAll(async () => {
  stack = await startStack({ userName: 'alan', email: 'alan@example.com' });
  relay = await startRelay(stack.worker.url);
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  const { orgId } = await stack.worker.admin('POST', '/organizations', { name: 'acme', fullName: 'Acme Genomics' });
  orgWorkspaceId = (await stack.worker.admin('POST', `/organizations/${orgId}/workspaces`, { name: 'pipelines' })).workspaceId;
  await stack.worker.admin('PUT', `/workspaces/${orgWorkspaceId}/members/${stack.userId}`, { role: 'owner' });
  for (let i = 0; i < 160; i++)
    await api(`/credentials?workspaceId=${orgWorkspaceId}`, { credentials: { name: `gh-${String(i).padStart(3, '0')}`, provider: 'github', keys: { username: 'alan', password: `ghp_${i}` } } });
  // Connect through the relay, from the options page.
  const options = await stack.browser.context.newPage();
  await options.goto(`chrome-extension://${stack.browser.extensionId}/options.html`);
  await options.getByLabel('Worker URL').fill(relayUrl);
  await options.getByLabel('Access token').fill(stack.token);
  await options.getByRole('button', { name: 'Test connection and save' }).click();
  await options.getByRole('status').filter({ hasText: /^Connected as alan/ }).waitFor({ timeout: 15_000 });
  await options.close();
}, 240_000);

afterAll(async () => {
  for (const res of hung) res.destroy();
  relay?.close();
  await stack?.close();
});

describe('the popup under real conditions', () => {
  it('keeps a half-filled form (never its secret) when the popup closes, and restores it on reopening', async () => {
    let popup = await openPopup();
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await popup.getByRole('button', { name: 'Add credentials' }).click();
    // Focus moves to the form's first field.
    await expect.poll(() => popup.evaluate(() => document.activeElement === document.querySelector('form select, form input'))).toBe(true);
    await popup.getByLabel('Provider').selectOption('container-reg');
    await popup.getByLabel('Name', { exact: true }).fill('quay-robot');
    await popup.getByLabel('User name').fill('acme+ci');
    await popup.getByLabel('Password or access token').fill('SECRET-NEVER-STORED-1234');
    await new Promise((r) => setTimeout(r, 300));
    await popup.close(); // what Chrome does when you click away

    popup = await openPopup();
    await expect.poll(() => popup.getByLabel('Name', { exact: true }).inputValue(), { timeout: 10_000 }).toBe('quay-robot');
    expect(await popup.getByLabel('User name').inputValue()).toBe('acme+ci');
    expect(await popup.getByLabel('Password or access token').inputValue()).toBe('');
    const session = await stack.browser.context.serviceWorkers()[0]!.evaluate(() => chrome.storage.session.get(null));
    expect(JSON.stringify(session)).toContain('quay-robot');
    expect(JSON.stringify(session)).not.toContain('SECRET-NEVER-STORED');
    // Escape cancels the form and drops the draft.
    await popup.getByLabel('Name', { exact: true }).press('Escape');
    await expect.poll(() => popup.getByRole('button', { name: 'Add credentials' }).isVisible()).toBe(true);
    expect(JSON.stringify(await stack.browser.context.serviceWorkers()[0]!.evaluate(() => chrome.storage.session.get(null)))).not.toContain('quay-robot');
    await popup.close();
  });

  it('shows a compact list and the feedback for a delete deep in it where the person is looking', async () => {
    const popup = await openPopup();
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await expect.poll(() => listed(popup), { timeout: 15_000 }).toBe(160);
    // Only the rows in view (and a few either side) are rendered, however long the list.
    expect(await popup.locator('[data-credentials]').count()).toBeLessThan(40);
    const rowHeight = await popup.locator('[data-credentials]').first().evaluate((el) => el.getBoundingClientRect().height);
    expect(rowHeight).toBeLessThanOrEqual(44); // about a dozen rows in a 600 px popup
    const widths = await popup.evaluate(() => {
      const cw = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > cw + 0.5).slice(0, 5).map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
      return { sw: document.documentElement.scrollWidth, cw, wide };
    });
    expect(widths.wide, JSON.stringify(widths)).toEqual([]);
    expect(widths.sw, JSON.stringify(widths)).toBeLessThanOrEqual(widths.cw);

    // The keyboard walks past the rendered rows: Tab from the filter through Copy, Edit and Delete of each row.
    await popup.getByLabel('Filter credentials').focus();
    for (let i = 0; i < 2 + 30 * 3; i++) await popup.keyboard.press('Tab');
    const focused = await popup.evaluate(() => {
      const row = document.activeElement?.closest('[data-credentials]');
      const r = document.activeElement!.getBoundingClientRect();
      return { name: row?.getAttribute('data-credentials'), label: document.activeElement?.getAttribute('aria-label'), inView: r.top >= 0 && r.bottom <= window.innerHeight };
    });
    expect(focused).toEqual({ name: 'gh-030', label: 'Copy… gh-030', inView: true });

    // Scroll down to row 150 as a person would (the wheel over the list); it is rendered once in view.
    await popup.mouse.move(190, 400);
    for (let i = 0; i < 60 && !(await popup.getByRole('button', { name: 'Delete gh-150' }).isVisible()); i++) await popup.mouse.wheel(0, 200);
    expect(await popup.locator('[data-credentials="gh-000"]').count()).toBe(0); // scrolled out, no longer rendered
    await popup.getByRole('button', { name: 'Delete gh-150' }).click();
    await popup.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => toast(popup)).toBe("Deleted 'gh-150'");
    const inView = await popup.locator('.toast-area .toast').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    expect(inView).toBe(true);
    // Focus stays in the list, on the next row, which is in view.
    await expect.poll(() => popup.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit gh-151');
    expect(await popup.evaluate(() => {
      const r = document.activeElement!.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    })).toBe(true);
    await popup.close();
  });

  it('keeps the last good list through an outage, says what happened in plain words, and recovers', async () => {
    const popup = await openPopup();
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await expect.poll(() => listed(popup), { timeout: 15_000 }).toBe(159);
    await settled(popup);

    mode = 'down';
    await popup.getByRole('button', { name: 'Add credentials' }).click();
    await popup.getByLabel('Name', { exact: true }).fill('during-outage');
    await popup.getByLabel('Access key').fill('AKIAIOSFODNN7EXAMPLE');
    await popup.getByLabel('Secret key').fill('x'.repeat(40));
    await popup.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => popup.locator('[role=alert] .toast-text').innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/cannot be reached/);
    // Not blamed on a field: no field is marked invalid.
    expect(await popup.locator('[aria-invalid="true"]').count()).toBe(0);

    mode = '503';
    await popup.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => popup.locator('[role=alert] .toast-text').innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/server had a problem \(503\)/);
    expect(await popup.locator('[aria-invalid="true"]').count()).toBe(0);

    // The form is intact and the list behind it was never replaced by an error.
    expect(await popup.getByLabel('Name', { exact: true }).inputValue()).toBe('during-outage');
    await popup.getByRole('button', { name: 'Cancel' }).click();
    expect(await listed(popup)).toBe(159);

    mode = 'up';
    await popup.getByRole('button', { name: 'Add credentials' }).click();
    await popup.getByLabel('Name', { exact: true }).fill('during-outage');
    await popup.getByLabel('Access key').fill('AKIAIOSFODNN7EXAMPLE');
    await popup.getByLabel('Secret key').fill('x'.repeat(40));
    await popup.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => toast(popup), { timeout: 20_000 }).toBe("Added 'during-outage'");
    await expect.poll(() => listed(popup), { timeout: 15_000 }).toBe(160);
    await popup.close();
  });

  it('shows when credentials expire, and counts the ones due within a week on the toolbar badge', async () => {
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    await api(`/credentials?workspaceId=${orgWorkspaceId}`, { credentials: { name: 'aa-expiring', provider: 'github', expiresAt: inDays(3), keys: { username: 'u', password: 'p' } } });
    await api(`/credentials?workspaceId=${orgWorkspaceId}`, { credentials: { name: 'aa-later', provider: 'github', expiresAt: inDays(60), keys: { username: 'u', password: 'p' } } });
    const popup = await openPopup();
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    const soon = popup.locator('[data-credentials="aa-expiring"] .expiry');
    await expect.poll(() => soon.innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/^expires in [34] days$/);
    expect(await soon.getAttribute('class')).toBe('expiry soon');
    expect(await popup.locator('[data-credentials="aa-later"] .expiry').getAttribute('class')).toBe('expiry');
    const sw = stack.browser.context.serviceWorkers()[0]!;
    await expect.poll(() => sw.evaluate(() => chrome.action.getBadgeText({})), { timeout: 15_000 }).toBe('1');
    expect(await sw.evaluate(() => chrome.action.getTitle({}))).toMatch(/^Latchkey: 1 credential\(s\) expire within 7 days \(aa-expiring\)$/);
    // Set in the edit form too: a date field, cleared to remove the expiry.
    await popup.getByRole('button', { name: 'Edit aa-expiring' }).click();
    expect(await popup.getByLabel('Expires (optional)').inputValue()).toBe(inDays(3));
    await popup.getByLabel('Expires (optional)').fill('');
    await popup.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => toast(popup)).toBe("Saved 'aa-expiring'");
    await expect.poll(() => sw.evaluate(() => chrome.action.getBadgeText({})), { timeout: 15_000 }).toBe('');
    await popup.close();
  });

  it('reports a server that never answers instead of spinning forever', async () => {
    const popup = await openPopup();
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await expect.poll(() => listed(popup), { timeout: 15_000 }).toBe(162); // 160, and the two added by the expiry test
    await settled(popup);
    await badgeCounted(popup);
    mode = 'hang';
    await popup.getByRole('button', { name: 'Delete gh-010' }).click();
    await popup.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => popup.locator('[role=alert] .toast-text').innerText().catch(() => ''), { timeout: 45_000 }).toMatch(/did not answer in time/);
    expect(await popup.getByRole('button', { name: /Deleting/ }).count()).toBe(0);
    mode = 'up';
    await popup.close();
  }, 60_000);

  it('opens on the list this browser session last saw, marked busy, until the fresh answer replaces it; forgetting the token forgets it', async () => {
    let popup = await openPopup();
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await settled(popup);
    const before = await listed(popup);
    expect(before).toBeGreaterThan(100);
    await badgeCounted(popup);
    await popup.close();
    // Meanwhile, elsewhere: one credential deleted, one added.
    const { credentials } = (await api(`/credentials?workspaceId=${orgWorkspaceId}`)) as { credentials: Array<{ id: string; name: string }> };
    await api(`/credentials/${credentials.find((c) => c.name === 'gh-000')!.id}?workspaceId=${orgWorkspaceId}`, undefined, 'DELETE');
    await api(`/credentials?workspaceId=${orgWorkspaceId}`, { credentials: { name: 'gh-added-elsewhere', provider: 'github', keys: { username: 'u', password: 'p' } } });

    mode = 'slow'; // every answer takes 1.5 s
    popup = await openPopup();
    // At once: the list as this session last saw it, busy (being refreshed), the deleted credential still in it.
    await expect.poll(() => listed(popup), { timeout: 1000 }).toBe(before);
    expect(await popup.locator('main[aria-busy="true"]').count()).toBe(1);
    expect(await popup.locator('[data-credentials="gh-000"]').count()).toBe(1);
    // Then the fresh answer: the deleted credential is gone (no row, nothing to act on), the added one is there.
    await settled(popup);
    expect(await listed(popup)).toBe(before);
    expect(await popup.locator('[data-credentials="gh-000"]').count()).toBe(0);
    expect(await popup.getByRole('button', { name: 'Delete gh-000' }).count()).toBe(0);
    await popup.getByRole('searchbox').fill('added-elsewhere');
    await expect.poll(() => popup.locator('[data-credentials="gh-added-elsewhere"]').count()).toBe(1);
    mode = 'up';
    await popup.close();

    // Forgetting the token forgets what it listed, and the workspaces it saw.
    const session = () => stack.browser.context.serviceWorkers()[0]!.evaluate(() => chrome.storage.session.get(null));
    expect(Object.keys(await session())).toContain('lists');
    const options = await stack.browser.context.newPage();
    await options.goto(`chrome-extension://${stack.browser.extensionId}/options.html`);
    await options.getByRole('button', { name: 'Forget token' }).click();
    await expect.poll(async () => Object.keys(await session())).not.toContain('lists');
    expect(Object.keys(await session())).not.toContain('workspaces');
    await options.close();
  }, 60_000);
});
