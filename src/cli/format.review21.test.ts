import { describe, expect, it } from 'vitest';
import { createStyle, table, truncate, visibleWidth } from './format.js';

/**
 * review21: tables measure what a terminal draws. Before, only Han, Hangul,
 * Hiragana and Katakana letters counted two columns: the `ー` and `・` of a
 * Katakana name, fullwidth letters and CJK punctuation counted one, a
 * combining mark one more, and the columns after them slid.
 */
describe('review21: display width in tables', () => {
  it('counts East Asian wide and fullwidth characters two, combining marks none, an emoji sequence two', () => {
    expect(visibleWidth('リー')).toBe(4);
    expect(visibleWidth('ブルース・リー')).toBe(14);
    expect(visibleWidth('Ｍａｒｙ')).toBe(8);
    expect(visibleWidth('李、王')).toBe(6);
    expect(visibleWidth('Zoe\u0308')).toBe(3);
    expect(visibleWidth('Zo\u00eb')).toBe(3);
    expect(visibleWidth('👍')).toBe(2);
    expect(visibleWidth('👨\u200d👩\u200d👧')).toBe(2);
    expect(visibleWidth('ab\u200bc')).toBe(3);
    expect(visibleWidth(createStyle(true, {}).green('リー'))).toBe(4);
  });

  it('aligns the columns after a Katakana, fullwidth or decomposed name', () => {
    const text = table(['NAME', 'STATE'], [['リー', 'active'], ['Ｍａｒｙ', 'leave'], ['Zoe\u0308', 'active'], ['Bob', 'leave']]);
    expect(text.trimEnd().split('\n')).toEqual(['NAME      STATE', 'リー      active', 'Ｍａｒｙ  leave', 'Zoe\u0308       active', 'Bob       leave']);
  });

  it('truncates to terminal columns, keeping a letter with its marks', () => {
    expect(truncate('李小龙李小龙', 5)).toBe('李小…');
    expect(visibleWidth(truncate('ブルース・リー', 6))).toBeLessThanOrEqual(6);
    expect(truncate('Zoe\u0308 Smith', 4)).toBe('Zoe\u0308…');
    expect(truncate('Łukasz Müller', 6)).toBe('Łukas…');
  });
});
