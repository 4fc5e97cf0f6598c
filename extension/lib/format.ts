import { i18n } from '#i18n';

/** Each unit from the largest down, with its length in seconds; relative times use the first that fits. */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
];
const MONTH_S = 30 * 86_400;

const formats = new Map<string, unknown>();
/** One Intl formatter per locale and options: making one costs far more than formatting with it (a list has hundreds). */
export function intl<T>(key: string, make: () => T): T {
  let f = formats.get(key) as T | undefined;
  if (f === undefined) formats.set(key, (f = make()));
  return f;
}

/**
 * Short, human dates for lists, in the browser's language: "now", "5 min. ago", "3 hr. ago", "yesterday",
 * "2 wk. ago" (Intl.RelativeTimeFormat), then a date ("12 Nov", "12 Nov 2025") once it is over a month old; "never" for
 * no date. `locale` is for tests; pages use the browser's own.
 */
export function ago(iso: string | null | undefined, now = Date.now(), locale?: string): string {
  if (!iso) return i18n.t('time.never');
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = (t - now) / 1000;
  if (Math.abs(s) >= MONTH_S) {
    const sameYear = new Date(t).getUTCFullYear() === new Date(now).getUTCFullYear();
    return intl(`date ${locale} ${sameYear}`, () => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }), timeZone: 'UTC' })).format(t);
  }
  const rtf = intl(`ago ${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }));
  if (Math.abs(s) < 45) return rtf.format(0, 'second');
  for (const [unit, size] of UNITS) if (Math.abs(s) >= size) return rtf.format(Math.round(s / size), unit);
  return rtf.format(Math.round(s / 60), 'minute');
}
