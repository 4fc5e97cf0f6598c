/**
 * The extension's messages (locales/en.yml, built into _locales by @wxt-dev/i18n) read straight from the browser:
 * the same keys and `$1` substitutions as `i18n.t`, without its runtime, for the code that must stay small (the
 * content scripts and the popup's first paint).
 */
import { browser } from 'wxt/browser';
import type { GeneratedI18nStructure } from '#i18n';

export type MessageKey = keyof GeneratedI18nStructure;

export const t = (key: MessageKey, subs?: string[]): string => (browser.i18n.getMessage as (name: string, subs?: string[]) => string)(key.replaceAll('.', '_'), subs);
