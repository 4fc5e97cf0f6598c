/**
 * Credential expiry as people read it: "expires in 5 days", "expired 2 days ago" (Intl.RelativeTimeFormat), and the
 * count behind the toolbar badge: credentials that expire within a week (or already have).
 */
import { i18n } from '#i18n';
import type { Credentials } from '../../shared/api';
import { intl } from './format';

export const WARN_DAYS = 7;
const DAY = 86_400_000;

/** Whole days until `iso` (negative once past), counted from `now`. */
export const daysUntil = (iso: string, now = Date.now()) => Math.ceil((Date.parse(iso) - now) / DAY);

/** "expires today", "expires in 5 days", "expired 2 days ago", in the browser's language. */
export function expiryText(iso: string, now = Date.now(), locale?: string): string {
  const days = daysUntil(iso, now);
  const rtf = intl(`expiry ${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  return i18n.t(days >= 0 ? 'expiry.expires' : 'expiry.expired', [rtf.format(days, 'day')]);
}

export const expiresSoon = (c: Pick<Credentials, 'expiresAt'>, now = Date.now()) => c.expiresAt !== undefined && daysUntil(c.expiresAt, now) <= WARN_DAYS;
