import { describe, expect, it } from 'vitest';
import { createLogger, redact } from './log.js';

describe('redact', () => {
  it('hides secret-looking fields at any depth', () => {
    expect(redact({ user: 'a', password: 'p', nested: { apiKey: 'k', ok: 1 } })).toEqual({
      user: 'a', password: '[redacted]', nested: { apiKey: '[redacted]', ok: 1 },
    });
  });
});

describe('createLogger', () => {
  it('writes JSON lines at or above its level, secrets redacted', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.debug('hidden');
    log.info('shown', { token: 'rst_abc' });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.message).toBe('shown');
    expect(entry.token).toBe('[redacted]');
  });
});
