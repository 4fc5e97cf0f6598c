import { beforeEach, describe, expect, it } from 'vitest';
import { ago } from '../../extension/lib/format';
import { useEnglishMessages } from './messages';

const now = Date.parse('2026-11-23T12:00:00Z');
const before = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe('ago: relative times from Intl.RelativeTimeFormat', () => {
  beforeEach(useEnglishMessages);

  it('says "never" (from the messages) when there is no date, and a dash for a date it cannot read', () => {
    expect(ago(null, now, 'en')).toBe('never');
    expect(ago(undefined, now, 'en')).toBe('never');
    expect(ago('not a date', now, 'en')).toBe('—');
  });

  it('counts seconds, minutes, hours, days and weeks back', () => {
    expect(ago(before(10), now, 'en')).toBe('now');
    expect(ago(before(50), now, 'en')).toBe('1 min. ago');
    expect(ago(before(5 * 60), now, 'en')).toBe('5 min. ago');
    expect(ago(before(3 * 3600 + 600), now, 'en')).toBe('3 hr. ago');
    expect(ago(before(26 * 3600), now, 'en')).toBe('yesterday');
    expect(ago(before(3 * 86_400), now, 'en')).toBe('3 days ago');
    expect(ago(before(15 * 86_400), now, 'en')).toBe('2 wk. ago');
  });

  it('gives a date once a time is over a month old, with the year only when it is not this year', () => {
    expect(ago('2026-09-12T08:00:00Z', now, 'en-GB')).toBe('12 Sept');
    expect(ago('2025-11-12T08:00:00Z', now, 'en-GB')).toBe('12 Nov 2025');
  });

  it('speaks the browser\'s language, not always English', () => {
    expect(ago(before(5 * 60), now, 'de')).toBe('vor 5 Min.');
    expect(ago(before(26 * 3600), now, 'fr')).toBe('hier');
    expect(ago(before(3 * 86_400), now, 'es')).toBe('hace 3 d');
  });

  it('says times in the future as such (a clock slightly ahead of the server\'s)', () => {
    expect(ago(new Date(now + 2 * 3600 * 1000).toISOString(), now, 'en')).toBe('in 2 hr.');
  });
});
