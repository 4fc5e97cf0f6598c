/**
 * The fake browser has no messages: this gives its i18n.getMessage the real ones from extension/locales/en.yml, as
 * the built extension's _locales/en/messages.json would, so tests see the English text users see.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateChromeMessages, parseMessagesText } from '@wxt-dev/i18n/build';
import { fakeBrowser } from 'wxt/testing/fake-browser';

export const enMessages = generateChromeMessages(parseMessagesText(readFileSync(resolve('extension/locales/en.yml'), 'utf8'), 'YAML'));

export function useEnglishMessages() {
  (fakeBrowser.i18n as { getMessage: (name: string, subs?: string | string[]) => string }).getMessage = (name, subs) => {
    const message = enMessages[name]?.message ?? '';
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    return message.replace(/\$(\d)/g, (_, n: string) => list[Number(n) - 1] ?? '');
  };
}
