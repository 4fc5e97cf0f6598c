import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { normalizeRegistry } from '../../shared/registry';
import { createLatchkeyService } from '../lib/api';
import { answer, messageHandlers, type Self } from '../lib/channels';
import { moveLegacyToken } from '../lib/storage';
import { i18n } from '#i18n';

const MENU_ID = 'latchkey-save-selection';
const BADGE_ALARM = 'latchkey-expiry-badge';

/**
 * The background owns the network and the access token. Extension pages reach the full service over the `page`
 * channel; content scripts reach only the capture channel; lib/channels.ts checks each message's sender.
 */
export default defineBackground(() => {
  const service = createLatchkeyService();
  const self: Self = { id: browser.runtime.id, base: browser.runtime.getURL('/') };
  void moveLegacyToken();
  // Defence in depth where the browser allows it (Chrome): storage.local stays out of content scripts' reach. The
  // token is not there anyway (see lib/storage.ts); Firefox only supports this for storage.session.
  void (browser.storage.local as { setAccessLevel?: (o: { accessLevel: string }) => Promise<void> }).setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })?.catch(() => undefined);

  const handlers = messageHandlers(service, self);
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    void answer(handlers, message, sender).then(sendResponse);
    return true; // answered asynchronously
  });

  // The expiry badge: now, at browser start, and every few hours (a credential crosses the one-week line meanwhile).
  const refreshBadge = () => void service.refreshExpiryBadge().catch(() => undefined);
  browser.alarms.create(BADGE_ALARM, { periodInMinutes: 180 });
  browser.alarms.onAlarm.addListener((alarm) => alarm.name === BADGE_ALARM && refreshBadge());
  browser.runtime.onStartup.addListener(refreshBadge);
  refreshBadge();

  // For registries without a capture helper: select a token on the page, right-click, save.
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.create({ id: MENU_ID, title: i18n.t('capture.menuTitle'), contexts: ['selection'] });
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
