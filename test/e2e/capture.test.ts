/**
 * Registry token helpers end to end: fixture pages reproducing Docker Hub's and Quay's token dialogs, served on the
 * real hostnames with page.route(), the built extension in Chromium, and the worker under wrangler dev checking the
 * login with local docker-registry instances standing in for docker.io (Basic) and quay.io (token auth).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HUB_USER, QUAY_ROBOT } from '../fixtures/registry-logins';
import { panel } from './shadow';
import { type Stack, startStack } from './stack';

let stack: Stack;
let worker: Stack['worker'];
let browser: Stack['browser'];
let token = '';

const fixture = (name: string, secret: string) => readFileSync(`test/fixtures/pages/${name}.html`, 'utf8').replace('__TOKEN__', secret);
const listCredentials = async () =>
  (await (await fetch(`${worker.url}/credentials`, { headers: { authorization: `Bearer ${token}` } })).json()).credentials as Array<{ name: string; keys: Record<string, unknown> }>;

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

    await p.click('button[type="submit"]');
    await expect.poll(() => p.text(), { timeout: 15_000 }).toContain('Saved to Latchkey ✓');
    const saved = await listCredentials();
    expect(saved.map((c) => [c.name, c.keys])).toEqual([['dockerhub-alice', { discriminator: 'container-reg', userName: 'alice', registry: 'docker.io' }]]);
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
});
