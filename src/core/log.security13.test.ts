import { describe, expect, it } from 'vitest';
import { RosterError } from './errors.js';
import { createLogger, redact } from './log.js';

describe('log redaction (security review 13)', () => {
  it('hides secret fields inside lists (diagnostics, holds)', () => {
    expect(redact({ diagnostics: [{ code: 'x', password: 'hunter2' }, 'plain'] })).toEqual({ diagnostics: [{ code: 'x', password: '[redacted]' }, 'plain'] });
  });

  it('an Error field keeps its message and loses its secret fields', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.warn('failed', { error: new RosterError('target.rejected', 'add refused', { details: { bindPassword: 's3cret', dn: 'cn=a' } }) });
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry.error.message).toBe('add refused');
    expect(entry.error.details).toEqual({ bindPassword: '[redacted]', dn: 'cn=a' });
    expect(lines[0]).not.toContain('s3cret');
  });

  it('hides the password of a URL, in fields and in the message', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.warn('cannot reach ldap://admin:Pa55@ldap.example.com', { store: 'postgres://roster:Pg5ecret@db:5432/roster', list: ['ldaps://u:p4ss@x'] });
    expect(lines[0]).not.toMatch(/Pa55|Pg5ecret|p4ss/);
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry.message).toBe('cannot reach ldap://admin:[redacted]@ldap.example.com');
    expect(entry.store).toBe('postgres://roster:[redacted]@db:5432/roster');
  });

  it('never writes bytes (a unicodePwd value) or an unbounded nesting', () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 20; i++) at = (at.next = {}) as Record<string, unknown>;
    at.value = 'bottom';
    const out = redact({ value: Buffer.from('"pw"', 'utf16le'), deep });
    expect(out?.value).toBe('[binary]');
    expect(JSON.stringify(out)).toContain('[too deep]');
    expect(JSON.stringify(out)).not.toContain('bottom');
  });
});
