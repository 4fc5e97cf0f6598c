/**
 * The extension end to end: the built extension in Debian's Chromium, against the worker under `wrangler dev` with a
 * fresh local D1. Everything is done through the options page and the popup, and checked through the worker's API.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QUAY_ROBOT } from '../fixtures/registry-logins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PROVIDER_IDS, type ProviderId, providerFields, providers } from '../../shared/providers';
import { sampleKeys } from '../fixtures/credentials';
import { type Stack, startStack } from './stack';

let stack: Stack;
let worker: Stack['worker'];
let peers: Stack['peers'];
let browser: Stack['browser'];
let token = '';
let orgWorkspaceId = '';
let popup: Page;

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(worker.url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The text of the toast the popup shows (announced through its live region). */
const toast = (page: Page) => page.locator('.toast-area .toast-text').first().innerText({ timeout: 1000 }).catch(() => '');
const shot = (page: Page, name: string) => page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });

beforeAll(async () => {
  // The test registry answers plain HTTP on 127.0.0.1, allowed here as an operator would allow a private registry.
  stack = await startStack({ userName: 'ada', email: 'ada@example.com' }, () => ({ REGISTRY_ALLOWED_HOSTS: '127.0.0.1', REGISTRY_ALLOW_INSECURE_LOOPBACK: 'true' }));
  ({ worker, peers, browser, token } = stack);
  const user = { id: stack.userId };
  const { orgId } = await worker.admin('POST', '/organizations', { name: 'acme', fullName: 'Acme Genomics' });
  orgWorkspaceId = (await worker.admin('POST', `/organizations/${orgId}/workspaces`, { name: 'pipelines' })).workspaceId;
  await worker.admin('PUT', `/workspaces/${orgWorkspaceId}/members/${user.id}`, { role: 'owner' });
});

afterAll(() => stack?.close());

describe('the browser extension', () => {
  it('asks only for storage, its menu item and an alarm (the expiry badge), runs only on the two registry sites, with the worker origin optional', async () => {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/manifest.json`);
    const manifest = JSON.parse((await page.locator('body').innerText()) || '{}');
    expect(manifest.permissions).toEqual(['storage', 'contextMenus', 'alarms']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.content_scripts.map((c: any) => c.matches)).toEqual([['https://hub.docker.com/*'], ['https://quay.io/*']]);
    expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*']);
    await page.close();
  });

  it('connects from the options page, saying exactly what failed first', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 900, height: 640 });
    await page.goto(`chrome-extension://${browser.extensionId}/options.html`);
    const url = page.getByLabel('Worker URL');
    const tokenInput = page.getByLabel('Access token');
    const submit = page.getByRole('button', { name: 'Test connection and save' });

    await url.fill('http://127.0.0.1:9');
    await tokenInput.fill(token);
    await submit.click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/^Cannot reach http:\/\/127\.0\.0\.1:9: /);

    await url.fill(worker.url);
    await tokenInput.fill(`${token.slice(0, -2)}xx`);
    await submit.click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/^The access token was refused: The access token is not valid/);

    await tokenInput.fill(token);
    await submit.click();
    await expect.poll(() => page.getByRole('status').innerText(), { timeout: 15_000 }).toMatch(/^Connected as ada \(ada@example\.com\) to Latchkey 0\.1\.0/);
    await shot(page, 'options');
    // The token is not in storage.local (content scripts can read that); it is in the extension origin's IndexedDB.
    const stored = await page.evaluate(() => chrome.storage.local.get(null));
    expect(stored).toEqual({ serverUrl: worker.url });
    expect(JSON.stringify(await page.evaluate(() => chrome.storage.sync.get(null)))).not.toContain(token);

    // A changed URL never receives the saved token: it must be pasted again.
    const seen: string[] = [];
    const listener = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const elsewhere = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      await url.fill(elsewhere);
      await tokenInput.fill('');
      await submit.click();
      await expect.poll(() => page.getByRole('alert').innerText()).toBe(`The worker URL changed from ${worker.url}: paste the access token again. A saved token is only sent to the server it was saved for.`);
      await page.waitForTimeout(300);
      expect(seen).toEqual([]);
      expect(await page.evaluate(() => chrome.storage.local.get(null))).toEqual({ serverUrl: worker.url });
      // The same URL (as saved) still works with the token left empty.
      await url.fill(`${worker.url}/`);
      await submit.click();
      await expect.poll(() => page.getByRole('status').innerText(), { timeout: 15_000 }).toMatch(/^Connected as ada/);
    } finally {
      listener.close();
    }
    await page.close();
  });

  it('creates one credential of every provider from the popup', async () => {
    popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await expect.poll(() => popup.getByText('No credentials in this workspace yet.').isVisible()).toBe(true);
    await shot(popup, 'popup-empty');

    for (const provider of PROVIDER_IDS) {
      await popup.getByRole('button', { name: 'Add credentials' }).click();
      await popup.getByLabel('Provider').selectOption(provider);
      await popup.getByLabel('Name', { exact: true }).fill(`${provider}-e2e`);
      // The registry login is checked on save: use the local docker-registry (Basic auth) and a login it accepts.
      const keys = provider === 'container-reg' ? { userName: 'acme+ci', password: QUAY_ROBOT.token, registry: `http://${peers.registryBasicHost}/v2/` } : sampleKeys(provider, 'E2ECANARY');
      for (const f of providerFields(provider)) {
        const v = keys[f.name];
        if (v === undefined || f.kind === 'boolean') continue;
        const field = popup.getByLabel(new RegExp(`^${escape(f.title)}( \\(optional\\))?$`));
        // Choices (the aws mode) are a select; everything else is typed.
        if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(String(v));
        else await field.fill(String(v));
      }
      if (provider === 'github') await popup.getByLabel('Server URL (self-hosted only)').fill('https://github.example.com');
      if (provider === 'tw-agent') {
        await popup.getByRole('switch', { name: 'Shared agent' }).check();
        await shot(popup, 'popup-tower-agent');
      }
      if (provider === 's3') await popup.getByRole('switch', { name: 'Path-style access' }).check();
      if (provider === 'aws') await shot(popup, 'popup-add-form');
      if (provider === 'container-reg') {
        // A wrong token is refused by the registry, next to the field.
        await popup.getByLabel('Password or access token').fill('wrong-token');
        await popup.getByRole('button', { name: 'Add', exact: true }).click();
        await expect.poll(() => popup.getByRole('alert').first().innerText()).toBe(`Invalid credentials for container registry '${peers.registryBasicHost}'`);
        await popup.getByLabel('Password or access token').fill(QUAY_ROBOT.token);
      }
      await popup.getByRole('button', { name: 'Add', exact: true }).click();
      await expect.poll(() => toast(popup), { timeout: 10_000 }).toBe(`Added '${provider}-e2e'`);
    }
    await shot(popup, 'popup-list');

    const { body } = await api(`/credentials?workspaceId=${orgWorkspaceId}`);
    expect(body.credentials.map((c: any) => c.provider).sort()).toEqual([...PROVIDER_IDS].sort());
    const byProvider = Object.fromEntries(body.credentials.map((c: any) => [c.provider, c]));
    for (const provider of PROVIDER_IDS) {
      const expected = Object.fromEntries(providerFields(provider).filter((f) => !f.secret && sampleKeys(provider, 'x')[f.name] !== undefined).map((f) => [f.name, sampleKeys(provider, 'x')[f.name]]));
      if (provider === 'container-reg') Object.assign(expected, { userName: 'acme+ci', registry: peers.registryBasicHost });
      if (provider === 'tw-agent') expected.shared = true;
      expect(byProvider[provider].keys, provider).toEqual({ discriminator: provider, ...expected });
    }
    expect(byProvider.github.baseUrl).toBe('https://github.example.com');
    expect(JSON.stringify(body)).not.toContain('E2ECANARY');
  });

  it('validates names live, edits keeping stored secrets, and deletes with confirmation', async () => {
    await popup.getByRole('button', { name: 'Add credentials' }).click();
    await popup.getByLabel('Name', { exact: true }).fill('aws-e2e');
    await expect.poll(() => popup.getByRole('alert').first().innerText()).toMatch(/Credentials named 'aws-e2e' already exist/);
    await popup.getByLabel('Name', { exact: true }).fill('bad name');
    await expect.poll(() => popup.getByRole('alert').first().innerText()).toMatch(/must be 1-100 characters/);
    await popup.getByLabel('Name', { exact: true }).fill('aws-e2e-2');
    await expect.poll(() => popup.getByText('Name is free').isVisible()).toBe(true);
    await popup.getByRole('button', { name: 'Cancel' }).click();

    // A Tower Agent connection ID generated in the form lands in the snippet.
    await popup.getByRole('button', { name: 'Add credentials' }).click();
    await popup.getByLabel('Provider').selectOption('tw-agent');
    await popup.getByRole('button', { name: 'Generate' }).click();
    const generated = await popup.getByLabel('Agent connection ID').inputValue();
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await popup.getByLabel('Tower Agent usage').innerText()).toContain(`./tw-agent ${generated}`);
    await popup.getByRole('button', { name: 'Cancel' }).click();

    // Edit: change a public field, leave the secret empty (kept), and see the worker's error next to the field.
    await popup.getByRole('button', { name: 'Edit github-e2e' }).click();
    await expect.poll(() => popup.getByLabel('Access token').getAttribute('placeholder')).toBe('•••••• (unchanged)');
    await popup.getByLabel('User name').fill('octocat');
    await popup.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => toast(popup)).toBe("Saved 'github-e2e'");
    const { body } = await api(`/credentials?workspaceId=${orgWorkspaceId}&platformId=github`);
    expect(body.credentials[0].keys).toEqual({ discriminator: 'github', username: 'octocat' });

    await popup.getByRole('button', { name: 'Delete ssh-e2e' }).click();
    await popup.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => toast(popup)).toBe("Deleted 'ssh-e2e'");
    const after = await api(`/credentials?workspaceId=${orgWorkspaceId}`);
    expect(after.body.credentials.map((c: any) => c.name)).not.toContain('ssh-e2e');
    expect(after.body.credentials).toHaveLength(PROVIDER_IDS.length - 1);

    // A stored registry login can be checked again from the list.
    await popup.getByRole('button', { name: 'Check login of container-reg-e2e' }).click();
    await expect.poll(() => toast(popup)).toBe(`${peers.registryBasicHost} accepts the login 'container-reg-e2e'`);

    // The filter narrows the list.
    await popup.getByLabel('Filter credentials').fill('git');
    // "git" matches names and provider labels (GitHub, GitHub App, GitLab, Gitea), not AWS CodeCommit or Bitbucket.
    const names = await popup.locator('[data-credentials]').evaluateAll((els) => els.map((e) => e.getAttribute('data-credentials')));
    expect(names.sort()).toEqual(['gitea-e2e', 'github-e2e', 'github_app-e2e', 'gitlab-e2e']);
    await popup.getByLabel('Filter credentials').fill('nothing-like-this');
    await expect.poll(() => popup.getByText('Nothing matches “nothing-like-this”.').isVisible()).toBe(true);
    await popup.getByLabel('Filter credentials').fill('');
  });

  it('adds a secret and updates its value, which is never shown', async () => {
    await popup.getByRole('tab', { name: /Secrets/ }).click();
    await popup.getByRole('button', { name: 'Add secret' }).click();
    await popup.getByLabel('Name').fill('DB_PASSWORD');
    await popup.getByLabel('Value').fill('first-value');
    await popup.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => toast(popup)).toBe("Added 'DB_PASSWORD'");
    const before = (await api(`/pipeline-secrets?workspaceId=${orgWorkspaceId}`)).body.pipelineSecrets;
    expect(before.map((s: any) => s.name)).toEqual(['DB_PASSWORD']);

    await new Promise((r) => setTimeout(r, 1100)); // lastUpdated has second precision
    await popup.getByRole('button', { name: 'Update value of DB_PASSWORD' }).click();
    await popup.getByLabel('Value').fill('second-value');
    await popup.getByRole('button', { name: 'Update' }).click();
    await expect.poll(() => toast(popup)).toBe("Updated the value of 'DB_PASSWORD'");
    const after = (await api(`/pipeline-secrets?workspaceId=${orgWorkspaceId}`)).body.pipelineSecrets;
    expect(Date.parse(after[0].lastUpdated)).toBeGreaterThan(Date.parse(before[0].lastUpdated));
    expect(await popup.content()).not.toContain('second-value');
    await shot(popup, 'popup-secrets');
  });
});
