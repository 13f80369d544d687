import { describe, expect, it } from 'vitest';
import { parseDuration, parseThreshold } from './durations.js';

describe('parseDuration', () => {
  it('reads the documented spellings', () => {
    expect(parseDuration('immediately')).toEqual({ ok: true, ms: 0 });
    expect(parseDuration('never')).toEqual({ ok: true, ms: null });
    expect(parseDuration('after 30d')).toEqual({ ok: true, ms: 30 * 86_400_000 });
    expect(parseDuration('30d')).toEqual({ ok: true, ms: 30 * 86_400_000 });
    expect(parseDuration('12h')).toEqual({ ok: true, ms: 12 * 3_600_000 });
    expect(parseDuration('90m')).toEqual({ ok: true, ms: 90 * 60_000 });
    expect(parseDuration('45s')).toEqual({ ok: true, ms: 45_000 });
    expect(parseDuration('2w')).toEqual({ ok: true, ms: 14 * 86_400_000 });
  });

  it('rejects anything else', () => {
    for (const bad of ['30', 'after', '30 days', 'soon', '-1d', 30, null]) {
      expect(parseDuration(bad).ok).toBe(false);
    }
  });
});

describe('parseThreshold', () => {
  it('reads counts and percentages', () => {
    expect(parseThreshold(5)).toEqual({ ok: true, threshold: { count: 5 } });
    expect(parseThreshold('5')).toEqual({ ok: true, threshold: { count: 5 } });
    expect(parseThreshold('5%')).toEqual({ ok: true, threshold: { percent: 5 } });
    expect(parseThreshold('12.5%')).toEqual({ ok: true, threshold: { percent: 12.5 } });
  });

  it('rejects negative, fractional counts, percentages over 100 and words', () => {
    for (const bad of [-1, 2.5, '2.5', '101%', 'lots', true]) {
      expect(parseThreshold(bad).ok).toBe(false);
    }
  });
});
