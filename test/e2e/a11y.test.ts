/**
 * Accessibility with axe-core (Deque's engine, WCAG 2.x A and AA rules) over the extension's pages, in light and dark,
 * in the states people meet them: empty, a long list, a form, and an error. Zero serious or critical violations.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

const axeSource: string = createRequire(import.meta.url)('axe-core').source;

let stack: Stack;
let orgWorkspaceId = '';

async function api(path: string, body?: unknown) {
  const res = await fetch(stack.worker.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** axe's serious and critical violations on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource); // CDP evaluation is not subject to the extension page's CSP
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<any> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  return (result.violations as Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; failureSummary: string }> }>)
    // Serious and critical ones, and two the issue names whatever axe rates them: a page without a heading, and
    // ARIA attributes an element's role does not allow.
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || ['page-has-heading-one', 'aria-prohibited-attr'].includes(v.id))
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 240)}`));
}

async function pageIn(scheme: 'light' | 'dark', path: string): Promise<Page> {
  const page = await stack.browser.context.newPage();
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(`chrome-extension://${stack.browser.extensionId}/${path}`);
  return page;
}

beforeAll(async () => {
  stack = await startStack({ userName: 'grace', email: 'grace@example.com' });
  const { orgId } = await stack.worker.admin('POST', '/organizations', { name: 'acme', fullName: 'Acme Genomics' });
  // A long organization and workspace name, as the capture panel must hold them.
  const { orgId: longOrg } = await stack.worker.admin('POST', '/organizations', { name: 'institute-for-long-organisation-names' });
  const longWs = (await stack.worker.admin('POST', `/organizations/${longOrg}/workspaces`, { name: 'computational-genomics-prod-pipelines' })).workspaceId;
  await stack.worker.admin('PUT', `/workspaces/${longWs}/members/${stack.userId}`, { role: 'admin' });
  orgWorkspaceId = (await stack.worker.admin('POST', `/organizations/${orgId}/workspaces`, { name: 'pipelines' })).workspaceId;
  await stack.worker.admin('PUT', `/workspaces/${orgWorkspaceId}/members/${stack.userId}`, { role: 'owner' });
  // Connect the extension through its options page, as a person would.
  const options = await pageIn('light', 'options.html');
  await options.getByLabel('Worker URL').fill(stack.worker.url);
  await options.getByLabel('Access token').fill(stack.token);
  await options.getByRole('button', { name: 'Test connection and save' }).click();
  await options.getByRole('status').filter({ hasText: /^Connected as grace/ }).waitFor({ timeout: 15_000 });
  await options.close();
  // A long list in the organization workspace; the personal one stays empty.
  for (let i = 0; i < 40; i++)
    await api(`/credentials?workspaceId=${orgWorkspaceId}`, {
      credentials: { name: `github-${String(i).padStart(2, '0')}-${'long-name-'.repeat(i % 3 === 0 ? 8 : 1)}`, description: i % 2 ? 'CI token for the nf-core mirror' : null, provider: 'github', keys: { username: 'grace', password: `ghp_${i}` } },
    });
  for (let i = 0; i < 15; i++) await api(`/pipeline-secrets?workspaceId=${orgWorkspaceId}`, { name: `SECRET_${i}`, value: `v${i}` });
}, 180_000);

afterAll(() => stack?.close());

describe.each(['light', 'dark'] as const)('in the %s theme', (scheme) => {
  it('the popup has no serious or critical violations: empty, long list, secrets, form, refused submit', async () => {
    const popup = await pageIn(scheme, 'popup.html');
    await popup.getByLabel('Workspace', { exact: true }).selectOption({ index: 0 }); // the personal workspace, empty
    await expect.poll(() => popup.getByText('No credentials in this workspace yet.').isVisible(), { timeout: 15_000 }).toBe(true);
    const found: string[] = (await violations(popup)).map((v) => `empty: ${v}`);

    await popup.getByLabel('Workspace', { exact: true }).selectOption({ label: 'acme / pipelines · owner' });
    await expect.poll(() => popup.getByText(/^github-00/).isVisible(), { timeout: 15_000 }).toBe(true);
    found.push(...(await violations(popup)).map((v) => `long list: ${v}`));
    await popup.screenshot({ path: `docs/screenshots/popup-list-${scheme}.png` });
    await popup.getByRole('button', { name: /^Delete github-05/ }).click();
    await popup.getByRole('group', { name: /^Confirm deleting github-05/ }).waitFor();
    found.push(...(await violations(popup)).map((v) => `delete confirmation: ${v}`));
    await popup.keyboard.press('Escape');
    // Scrolled to the end: the rows rendered there (only those in view are) are as clean.
    await popup.locator('.popup').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => popup.getByText(/^github-39/).isVisible(), { timeout: 15_000 }).toBe(true);
    found.push(...(await violations(popup)).map((v) => `long list, scrolled to the end: ${v}`));
    await popup.locator('.popup').evaluate((el) => el.scrollTo(0, 0));

    await popup.getByRole('tab', { name: /Secrets/ }).click();
    await expect.poll(() => popup.getByText('SECRET_14').isVisible()).toBe(true);
    found.push(...(await violations(popup)).map((v) => `secrets: ${v}`));
    await popup.getByRole('tab', { name: /Credentials/ }).click();

    await popup.getByRole('button', { name: 'Add credentials' }).click();
    found.push(...(await violations(popup)).map((v) => `form: ${v}`));
    await popup.screenshot({ path: `docs/screenshots/popup-form-${scheme}.png` });
    await popup.getByLabel('Provider').selectOption('tw-agent');
    await popup.getByRole('button', { name: 'Generate' }).click();
    found.push(...(await violations(popup)).map((v) => `agent form: ${v}`));
    await popup.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => popup.getByRole('alert').count()).toBeGreaterThan(0);
    found.push(...(await violations(popup)).map((v) => `refused submit: ${v}`));
    await popup.close();
    expect(found).toEqual([]);
  });

  it('the capture page (context menu) has no serious or critical violations, with a long workspace name, and after a refusal', async () => {
    const sw = stack.browser.context.serviceWorkers()[0]!;
    const pagePromise = stack.browser.context.waitForEvent('page');
    await sw.evaluate(() =>
      (chrome.contextMenus.onClicked as unknown as { dispatch: (info: unknown, tab: unknown) => void }).dispatch(
        { menuItemId: 'latchkey-save-selection', selectionText: 'TOKEN0123456789TOKEN0123456789AB', pageUrl: 'https://registry.example.com/settings/tokens' },
        undefined,
      ),
    );
    const page = await pagePromise;
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForURL(/capture\.html#/);
    await expect.poll(() => page.getByLabel('Name', { exact: true }).inputValue(), { timeout: 15_000 }).toMatch(/^registry-/);
    const found: string[] = (await violations(page)).map((v) => `capture page: ${v}`);
    // The card holds with the longest workspace label: nothing sticks out of it.
    const overflow = await page.evaluate(() => {
      const card = document.querySelector('.lk-panel')!.getBoundingClientRect();
      return [...document.querySelectorAll('.lk-panel *')].filter((el) => el.getBoundingClientRect().right > card.right + 0.5).map((el) => el.tagName);
    });
    expect(overflow).toEqual([]);
    await page.screenshot({ path: `docs/screenshots/capture-page-${scheme}.png` });
    await page.getByLabel('User name', { exact: true }).fill('');
    await page.getByLabel('Name', { exact: true }).fill('bad name!');
    await page.getByLabel('User name', { exact: true }).fill('someone');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    found.push(...(await violations(page)).map((v) => `capture page refused: ${v}`));
    await page.close();
    expect(found).toEqual([]);
  });

  it('the options page has no serious or critical violations, connected and after a refused token', async () => {
    const options = await pageIn(scheme, 'options.html');
    await expect.poll(() => options.getByLabel('Worker URL').inputValue()).toBe(stack.worker.url);
    const found: string[] = (await violations(options)).map((v) => `connected: ${v}`);
    await options.getByLabel('Access token').fill('lk_wrong');
    await options.getByRole('button', { name: 'Test connection and save' }).click();
    await expect.poll(() => options.getByRole('alert').isVisible(), { timeout: 15_000 }).toBe(true);
    found.push(...(await violations(options)).map((v) => `refused token: ${v}`));
    await options.close();
    expect(found).toEqual([]);
  });
});
