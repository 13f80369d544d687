import { describe, expect, it } from 'vitest';
import { safetyLimit, thresholdLimit } from './threshold.js';

describe('thresholdLimit with a fractional percent (review6)', () => {
  it('0.57% of 10,000 is 57, not 56 (0.57 × 10,000 is 5,699.999… in floating point)', () => {
    expect(thresholdLimit({ percent: 0.57 }, 10_000)).toBe(57);
    expect(thresholdLimit({ percent: 0.29 }, 100_000)).toBe(290);
    expect(thresholdLimit({ percent: 4.35 }, 100_000)).toBe(4350);
  });

  it('still rounds a true fraction down and keeps whole percents exact', () => {
    expect(thresholdLimit({ percent: 0.57 }, 9_999)).toBe(56);
    expect(thresholdLimit({ percent: 5 }, 1_003)).toBe(50);
    expect(thresholdLimit({ percent: 20 }, 10)).toBe(2);
    expect(thresholdLimit({ percent: 100 }, 7)).toBe(7);
    expect(thresholdLimit({ count: 3 }, 1_000)).toBe(3);
  });
});

describe('safetyLimit: a target threshold allows at least one account', () => {
  it('raises a percentage that floors to 0 to 1 when minAccounts is above 0, at the boundary and beyond', () => {
    expect(thresholdLimit({ percent: 5 }, 19)).toBe(0);
    expect(safetyLimit({ percent: 5 }, 10, 10)).toBe(1);
    expect(safetyLimit({ percent: 5 }, 19, 10)).toBe(1);
    expect(safetyLimit({ percent: 5 }, 20, 10)).toBe(1);
    expect(safetyLimit({ percent: 5 }, 40, 10)).toBe(2);
    expect(safetyLimit({ percent: 5 }, 1_003, 10)).toBe(50);
  });

  it('leaves 0%, counts and minAccounts: 0 as written', () => {
    expect(safetyLimit({ percent: 0 }, 12, 10)).toBe(0);
    expect(safetyLimit({ count: 0 }, 12, 10)).toBe(0);
    expect(safetyLimit({ count: 7 }, 12, 10)).toBe(7);
    expect(safetyLimit({ percent: 10 }, 6, 0)).toBe(0);
  });
});
