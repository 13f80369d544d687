import { describe, expect, it } from 'vitest';
import { createStyle, table, truncate, visibleWidth } from './format.js';

describe('terminal formatting', () => {
  it('colours only on a TTY without NO_COLOR', () => {
    expect(createStyle(true, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(createStyle(true, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(createStyle(false, {}).red('x')).toBe('x');
  });

  it('aligns table columns by visible width, ignoring colour codes and counting CJK as two', () => {
    const style = createStyle(true, {});
    const text = table(['NAME', 'STATE'], [[style.green('Zoë'), 'active'], ['李 伟', 'leave']]);
    const lines = text.trimEnd().split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(lines).toEqual(['NAME   STATE', 'Zoë    active', '李 伟  leave']);
    expect(visibleWidth('李')).toBe(2);
  });

  it('truncates with an ellipsis by code point', () => {
    expect(truncate('Łukasz Müller', 6)).toBe('Łukas…');
    expect(truncate('short', 10)).toBe('short');
  });
});
