import { describe, expect, it } from 'vitest';
import { MAX_WINDOW, PrefetchWindow } from './window.js';

describe('PrefetchWindow', () => {
  it('starts small, grows for a fast target and shrinks for a slow one so the window fits a quarter lease', () => {
    const window = new PrefetchWindow();
    expect(window.size('t', 4, 60_000)).toBe(16);
    window.record('fast', 1);
    expect(window.size('fast', 8, 60_000)).toBe(MAX_WINDOW);
    window.record('slow', 2_000);
    // 4 slots × 60 s / (4 × 2 s) = 30 jobs.
    expect(window.size('slow', 4, 60_000)).toBe(30);
    window.record('slow', 100_000);
    expect(window.size('slow', 4, 60_000)).toBe(4);
  });
});
