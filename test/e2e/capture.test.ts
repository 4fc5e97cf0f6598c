/**
 * Registry token helpers end to end: fixture pages reproducing Docker Hub's and Quay's token dialogs, served on the
 * real hostnames with page.route(), the built extension in Chromium, and the worker under wrangler dev checking the
 * login with local docker-registry instances standing in for docker.io (Basic) and quay.io (token auth).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HUB_USER, QUAY_ROBOT } from '../fixtures/registry-logins';
import { contentScriptWorld, panel } from './shadow';
import { type Stack, startStack } from './stack';

let stack: Stack;
let worker: Stack['worker'];
let browser: Stack['browser'];
let token = '';

const fixture = (name: string, secret: string) => readFileSync(`test/fixtures/pages/${name}.html`, 'utf8').replaceAll('__TOKEN__', secret);
/** What a person does before pressing Save on a panel that just appeared: look at it (over the 500 ms guard). */
const look = (page: Page) => page.waitForTimeout(700);
const listCredentials = async () =>
  (await (await fetch(`${worker.url}/credentials`, { headers: { authorization: `Bearer ${token}` } })).json()).credentials as Array<{ name: string; keys: Record<string, unknown>; expiresAt?: string }>;

async function site(url: string, html: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 800 });
  const origin = new URL(url).origin;
  await page.route(`${origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(url);
  return page;
}

beforeAll(async () => {
  // docker.io and quay.io logins are checked against the local registries (Basic and token auth).
  stack = await startStack({ userName: 'alice', email: 'alice@example.com' }, (peers) => ({
    REGISTRY_ENDPOINTS: JSON.stringify({ 'docker.io': `http://${peers.registryBasicHost}`, 'quay.io': `http://${peers.registryTokenHost}` }),
    // The test registries answer plain HTTP on 127.0.0.1, allowed here as an operator would allow a private registry.
    REGISTRY_ALLOWED_HOSTS: '127.0.0.1',
    REGISTRY_ALLOW_INSECURE_LOOPBACK: 'true',
  }));
  ({ worker, browser, token } = stack);
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
  await options.getByLabel('Worker URL').fill(worker.url);
  await options.getByLabel('Access token').fill(token);
  await options.getByRole('button', { name: 'Test connection and save' }).click();
  await options.getByText(/^Connected as alice/).waitFor({ timeout: 15_000 });
  await options.close();
});

afterAll(() => stack?.close());

describe('registry token capture', () => {
  it('offers a Docker Hub token only once it is shown, after in-app navigation, and saves it checked', async () => {
    const page = await site('https://hub.docker.com/repositories/alice', fixture('dockerhub', DOCKER_HUB_USER.token));
    const p = await panel(page);
    await page.waitForTimeout(600);
    expect(await p.exists()).toBe(false);
    await page.getByRole('link', { name: 'Personal access tokens' }).click(); // pushState, no reload
    await page.waitForTimeout(400);
    expect(await p.exists()).toBe(false);
    await page.getByRole('button', { name: 'Generate new token' }).click();
    await expect.poll(() => p.exists(), { timeout: 5000 }).toBe(true);
    await expect.poll(() => p.text()).toContain('Save this Docker Hub token to Latchkey?');
    const text = await p.text();
    expect(text).toContain(`dckr_pat_••••••••${DOCKER_HUB_USER.token.slice(-4)}`);
    expect(text).not.toContain(DOCKER_HUB_USER.token);
    await expect.poll(() => p.value('input[name="name"]')).toBe('dockerhub-alice');
    expect(await p.value('input[name="userName"]')).toBe('alice');
    // Nothing has been sent yet.
    expect(await listCredentials()).toEqual([]);
    // The page's own scripts cannot reach the panel or what it holds.
    expect(await page.evaluate(() => document.querySelector('latchkey-capture')?.shadowRoot ?? null)).toBeNull();
    expect(await page.evaluate(() => document.querySelector('latchkey-capture')?.innerHTML ?? '')).toBe('');
    await page.screenshot({ path: 'docs/screenshots/capture-dockerhub.png' });
    // The same panel on a dark page (its styles follow prefers-color-scheme inside the shadow root).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'docs/screenshots/capture-dockerhub-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });

    await look(page);
    await p.click('button[type="submit"]');
    await expect.poll(() => p.text(), { timeout: 15_000 }).toContain('Saved to Latchkey ✓');
    const saved = await listCredentials();
    expect(saved.map((c) => [c.name, c.keys])).toEqual([['dockerhub-alice', { discriminator: 'container-reg', userName: 'alice', registry: 'docker.io' }]]);
    // The expiry date the dialog shows was read and saved with it (end of that day, UTC).
    expect(saved[0]?.expiresAt).toBe('2027-03-31T23:59:59Z');
    await p.click('button');
    await expect.poll(() => p.exists()).toBe(false);
    await p.close();
    await page.close();
  });

  it('saves a Quay robot account through the token-auth registry check, and reports a refused one', async () => {
    const refused = await site('https://quay.io/organization/acme?tab=robots', fixture('quay', 'Z'.repeat(64)));
    let p = await panel(refused);
    await refused.getByRole('button', { name: 'Show credentials' }).click();
    await expect.poll(() => p.exists(), { timeout: 5000 }).toBe(true);
    await expect.poll(() => p.value('input[name="name"]')).toBe('quay-acme-ci');
    await look(refused);
    await p.click('button[type="submit"]');
    await expect.poll(() => p.text(), { timeout: 15_000 }).toContain("Invalid credentials for container registry 'quay.io'");
    await p.close();
    await refused.close();

    const page = await site('https://quay.io/organization/acme?tab=robots', fixture('quay', QUAY_ROBOT.token));
    p = await panel(page);
    await page.getByRole('button', { name: 'Show credentials' }).click();
    await expect.poll(() => p.exists(), { timeout: 5000 }).toBe(true);
    expect(await p.value('input[name="userName"]')).toBe('acme+ci');
    await expect.poll(() => p.value('input[name="name"]')).toBe('quay-acme-ci');
    await p.fill('input[name="name"]', 'quay-acme-robot');
    expect(await p.value('input[name="name"]')).toBe('quay-acme-robot');
    await look(page);
    await p.click('button[type="submit"]');
    await expect.poll(() => p.text(), { timeout: 15_000 }).toContain('Saved to Latchkey ✓');
    expect((await listCredentials()).find((c) => c.name === 'quay-acme-robot')?.keys).toEqual({ discriminator: 'container-reg', userName: 'acme+ci', registry: 'quay.io' });
    await p.close();
    await page.close();
  });

  it('never appears on other sites, even with a token on the page', async () => {
    const page = await site('https://example.com/notes', `<html><body><div role="dialog"><input value="${DOCKER_HUB_USER.token}"></div></body></html>`);
    const p = await panel(page);
    await page.waitForTimeout(800);
    expect(await p.exists()).toBe(false);
    await p.close();
    await page.close();
  });

  it('ignores a token planted in ordinary text, and the token dialog outside the token pages', async () => {
    const planted = await site('https://hub.docker.com/settings/personal-access-tokens', fixture('dockerhub-planted', DOCKER_HUB_USER.token));
    let p = await panel(planted);
    await planted.waitForTimeout(1200);
    expect(await p.exists()).toBe(false);
    await p.close();
    await planted.close();
    // The real token dialog, served on a repository page, is not offered either.
    const elsewhere = await site('https://hub.docker.com/r/mallory/readme', fixture('dockerhub-spoof', DOCKER_HUB_USER.token));
    p = await panel(elsewhere);
    await elsewhere.waitForTimeout(1000);
    expect(await p.exists()).toBe(false);
    await p.close();
    await elsewhere.close();
  });

  describe('a hostile page cannot make the panel save', () => {
    const spoofed = async () => {
      const page = await site('https://hub.docker.com/settings/personal-access-tokens', fixture('dockerhub-spoof', DOCKER_HUB_USER.token));
      const p = await panel(page);
      await expect.poll(() => p.exists(), { timeout: 5000 }).toBe(true);
      await expect.poll(() => p.value('input[name="name"]')).toMatch(/^dockerhub-alice/);
      await look(page);
      return { page, p, before: (await listCredentials()).length };
    };

    /** Save, pressed now, is refused with `refusal` and saves nothing; once the panel has been seen, a deliberate click saves. */
    const refusedThenSaved = async ({ page, p, before }: Awaited<ReturnType<typeof spoofed>>, refusal: string) => {
      await p.click('button[type="submit"]');
      await expect.poll(() => p.text()).toContain(refusal);
      await page.waitForTimeout(500);
      expect(await listCredentials()).toHaveLength(before);
      await look(page);
      await p.click('button[type="submit"]');
      await expect.poll(() => p.text(), { timeout: 15_000 }).toContain('Saved to Latchkey ✓');
      expect(await listCredentials()).toHaveLength(before + 1);
      await p.close();
      await page.close();
    };

    it('a transparent element laid over the panel, clicks passing through it', async () => {
      const spoof = await spoofed();
      await spoof.page.evaluate(() => (window as any).attack.transparent());
      await look(spoof.page);
      // Refused; then the panel is back on top of the overlay, and once seen a deliberate click saves.
      await refusedThenSaved(spoof, 'Something on the page was shown over this panel');
    });

    it('a look-alike "Dismiss" over Save with pointer-events: none, in the document or in a shadow root', async () => {
      // In the document, the top-layer check sees it; inside the page's shadow root only IntersectionObserver v2 does.
      const expected = { lookalike: 'Something on the page was shown over this panel', shadowLookalike: 'This panel is partly hidden or covered by the page' };
      for (const [attack, refusal] of Object.entries(expected)) {
        const { page, p, before } = await spoofed();
        const save = await p.rect('button[type="submit"]');
        await page.evaluate(([a, r]) => (window as any).attack[a as string](r), [attack, save] as const);
        await look(page);
        await p.click('button[type="submit"]'); // the user means to press "Dismiss"
        await expect.poll(() => p.text(), { message: attack }).toContain(refusal);
        await page.waitForTimeout(500);
        expect(await listCredentials(), attack).toHaveLength(before);
        await p.close();
        await page.close();
      }
    });

    it('a click in the first 500 ms after the panel (re)appears', async () => {
      const spoof = await spoofed();
      await spoof.page.evaluate(() => (window as any).attack.reshow());
      await refusedThenSaved(spoof, 'Save was pressed as the panel appeared or changed');
    });

    it('Escape dismisses the panel, from the panel or from nowhere in particular', async () => {
      let { page, p, before } = await spoofed();
      await p.click('input[name="userName"]');
      await page.keyboard.press('Escape');
      await expect.poll(() => p.exists()).toBe(false);
      await p.close();
      await page.close();
      ({ page, p, before } = await spoofed());
      await page.keyboard.press('Escape');
      await expect.poll(() => p.exists()).toBe(false);
      expect(await listCredentials()).toHaveLength(before);
      await p.close();
      await page.close();
    });

    it('keyboard users can still save: Tab to Save, Enter', async () => {
      const { page, p, before } = await spoofed();
      await p.fill('input[name="name"]', 'dockerhub-keyboard');
      await page.keyboard.press('Tab'); // user name
      await page.keyboard.press('Tab'); // Save
      await look(page);
      await page.keyboard.press('Enter');
      await expect.poll(() => p.text(), { timeout: 15_000 }).toContain('Saved to Latchkey ✓');
      expect((await listCredentials()).map((c) => c.name)).toContain('dockerhub-keyboard');
      expect(await listCredentials()).toHaveLength(before + 1);
      await p.close();
      await page.close();
    });
  });

  it('the content-script world cannot read the access token, nor list, update or delete through the background', async () => {
    const page = await site('https://hub.docker.com/settings/personal-access-tokens', fixture('dockerhub-planted', 'nothing'));
    const world = await contentScriptWorld(page, browser.extensionId);
    const before = await listCredentials();
    expect(before.length).toBeGreaterThan(0);
    // Every storage the token could be in, as seen from the content script.
    const storage = await world.evaluate<string>(`(async () => {
      const out = {};
      for (const area of ['local', 'sync', 'session']) {
        try { out[area] = await chrome.storage[area].get(null); } catch (e) { out[area] = 'refused: ' + e.message; }
      }
      out.indexedDB = await Promise.all((await indexedDB.databases()).map((d) => d.name));
      out.localStorage = Object.keys(localStorage);
      return JSON.stringify(out);
    })()`);
    expect(storage).not.toContain(token);
    expect(storage).not.toContain(token.slice(3, 20));
    // Messages straight to the background, in the messaging library's format: the full service is refused, and so
    // is a capture save that tries to pick its registry or provider.
    const send = (type: string, data: unknown) =>
      world.evaluate<{ res?: unknown; err?: { message?: string }; lastError?: string }>(`new Promise((resolve) =>
        chrome.runtime.sendMessage({ id: 1, type: ${JSON.stringify(type)}, data: ${JSON.stringify(data)}, timestamp: Date.now() }, (r) =>
          resolve(chrome.runtime.lastError ? { lastError: chrome.runtime.lastError.message } : r)))`);
    const victim = (await (await fetch(`${worker.url}/credentials`, { headers: { authorization: `Bearer ${token}` } })).json()).credentials[0] as { id: string; name: string };
    for (const [method, args] of [
      ['listCredentials', [null]],
      ['listSecrets', [null]],
      ['updateCredentials', [null, victim.id, { credentials: { name: victim.name, provider: 'container-reg', keys: { userName: 'x', registry: 'evil.example' } } }, true]],
      ['deleteCredentials', [null, victim.id]],
      ['testConnection', ['https://evil.example', 'x']],
    ] as const) {
      const answer = await send('page', { method, args });
      expect(answer.res, method).toBeUndefined();
      expect(answer.err?.message, method).toMatch(/^Refused: only Latchkey’s own pages/);
    }
    for (const type of ['listCredentials', 'deleteCredentials', 'constructor']) expect((await send(type, {})).res, type).toBeUndefined();
    const smuggled = await send('captureSave', { workspaceId: '1', name: 'evil', userName: 'x', token: 'x', skipRegistryCheck: true, registry: 'evil.example' });
    expect(smuggled.err?.message).toMatch(/^Refused: captureSave takes/);
    // What a content script may learn: where it could save, nothing listed.
    const targets = await send('captureTargets', { nameBase: 'dockerhub-alice' });
    expect(JSON.stringify(targets.res)).not.toContain('"credentials"');
    expect((targets.res as { ok: boolean; data: Array<Record<string, unknown>> }).data.map((t) => Object.keys(t).sort())).toEqual([['id', 'label', 'role', 'suggestedName']]);
    expect(await listCredentials()).toEqual(before);
    await world.close();
    await page.close();
  });

  it('the context-menu capture page still saves through the full service (it is an extension page)', async () => {
    const sw = browser.context.serviceWorkers()[0]!;
    const before = (await listCredentials()).length;
    const pagePromise = browser.context.waitForEvent('page');
    // What the browser does when "Save selection as registry token" is clicked on a page of a registry.
    await sw.evaluate(
      ([selection]) =>
        (chrome.contextMenus.onClicked as unknown as { dispatch: (info: unknown, tab: unknown) => void }).dispatch(
          { menuItemId: 'latchkey-save-selection', selectionText: selection, pageUrl: 'https://registry.example.com/settings/tokens' },
          undefined,
        ),
      [QUAY_ROBOT.token],
    );
    const page = await pagePromise;
    await page.waitForURL(/capture\.html#/);
    await expect.poll(() => page.getByLabel('Name', { exact: true }).inputValue()).toBe('registry-registry-example-com');
    expect(await page.locator('body').innerText()).not.toContain(QUAY_ROBOT.token);
    await page.getByLabel('User name', { exact: true }).fill('acme+ci');
    await page.getByLabel('Registry', { exact: true }).fill(`http://${stack.peers.registryBasicHost}`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Saved to Latchkey ✓');
    const saved = await listCredentials();
    expect(saved).toHaveLength(before + 1);
    expect(saved.find((c) => c.name === 'registry-registry-example-com')?.keys).toMatchObject({ userName: 'acme+ci' });
    await page.close();
  });
});
