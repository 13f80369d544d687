import { describe, expect, it } from 'vitest';
import { backoffDelay, redactMessage } from './backoff.js';

describe('backoffDelay', () => {
  it('is full jitter over an exponential cap', () => {
    expect(backoffDelay(1, 500, 300_000, () => 0)).toBe(0);
    expect(backoffDelay(1, 500, 300_000, () => 0.5)).toBe(250);
    expect(backoffDelay(2, 500, 300_000, () => 0.5)).toBe(500);
    expect(backoffDelay(4, 500, 300_000, () => 0.5)).toBe(2000);
  });
  it('never exceeds the maximum, even for huge attempt numbers', () => {
    expect(backoffDelay(40, 500, 300_000, () => 0.999999)).toBeLessThan(300_000);
    expect(backoffDelay(10_000, 500, 300_000, () => 0.5)).toBe(150_000);
  });
});

describe('redactMessage', () => {
  it('removes passwords from URLs and bearer tokens', () => {
    const out = redactMessage('connect postgres://app:hunter2@db:5432/x failed; Authorization: Bearer abc.def');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('abc.def');
    expect(out).toContain('postgres://app:***@db');
  });
});
