import { registerService } from '@webext-core/proxy-service';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { normalizeRegistry } from '../../shared/registry';
import { createLatchkeyService, LATCHKEY_SERVICE } from '../lib/api';

const MENU_ID = 'latchkey-save-selection';

/** The background owns the network: the popup, options page and content scripts call it through the proxy. */
export default defineBackground(() => {
  const service = createLatchkeyService();
  registerService(LATCHKEY_SERVICE, service);

  // For registries without a capture helper: select a token on the page, right-click, save.
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.create({ id: MENU_ID, title: 'Save selection as registry token', contexts: ['selection'] });
  });
  browser.contextMenus.onClicked.addListener(async (info) => {
    if (info.menuItemId !== MENU_ID || !info.selectionText?.trim()) return;
    let host = '';
    try {
      host = normalizeRegistry(new URL(info.pageUrl ?? '').host) ?? '';
    } catch {
      host = '';
    }
    const id = service.holdCapture(info.selectionText.trim(), host);
    await browser.tabs.create({ url: browser.runtime.getURL(`/capture.html#${id}`) });
  });
});
