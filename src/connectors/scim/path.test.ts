import { describe, expect, it } from 'vitest';
import { eqFilter } from './filter.js';
import { elementPath, parsePath, readPath, writePath } from './path.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('eqFilter', () => {
  it('escapes quotes and backslashes so a hostile value stays one comparison value', () => {
    const hostile = 'x" or userName pr or userName eq "\\';
    const filter = eqFilter('userName', hostile);
    expect(filter).toBe('userName eq "x\\" or userName pr or userName eq \\"\\\\"');
    // The comparison value is one JSON string (RFC 7644 §3.4.2.2) that decodes back to the input.
    expect(JSON.parse(filter.slice('userName eq '.length))).toBe(hostile);
  });

  it('escapes control characters and keeps Unicode as it is', () => {
    expect(eqFilter('displayName', 'a\nb\u0000 Zoë 名前 🚀')).toBe('displayName eq "a\\nb\\u0000 Zoë 名前 🚀"');
  });
});

describe('parsePath', () => {
  it('reads simple, complex, selected and extension paths', () => {
    expect(parsePath('userName')).toMatchObject({ schema: undefined, attribute: 'userName', selector: undefined, sub: undefined });
    expect(parsePath('name.givenName')).toMatchObject({ attribute: 'name', sub: 'givenName' });
    expect(parsePath('emails[type eq "work"].value')).toMatchObject({ attribute: 'emails', selector: { attribute: 'type', value: 'work' }, sub: 'value' });
    expect(parsePath(`${ENTERPRISE}:manager.value`)).toMatchObject({ schema: ENTERPRISE, attribute: 'manager', sub: 'value' });
  });

  it('refuses what is not a path', () => {
    for (const text of ['', 'a b', 'emails[type co "w"].value', 'name.given.more', 'emails[type eq "unterminated].value', '1abc']) {
      expect(parsePath(text), text).toBeUndefined();
    }
  });
});

describe('readPath / writePath', () => {
  const email = parsePath('emails[type eq "work"].value')!;
  const department = parsePath(`${ENTERPRISE}:department`)!;

  it('writes and reads a selected element without touching the others', () => {
    const user: Record<string, unknown> = { emails: [{ type: 'home', value: 'h@example.com' }] };
    writePath(user, email, 'w@example.com');
    expect(user.emails).toEqual([{ type: 'home', value: 'h@example.com' }, { type: 'work', value: 'w@example.com' }]);
    expect(readPath(user, email)).toBe('w@example.com');
    writePath(user, email, null);
    expect(user.emails).toEqual([{ type: 'home', value: 'h@example.com' }]);
    expect(readPath(user, email)).toBeUndefined();
  });

  it('writes extension attributes under their schema URN', () => {
    const user: Record<string, unknown> = {};
    writePath(user, department, 'R&D');
    expect(user).toEqual({ [ENTERPRISE]: { department: 'R&D' } });
    expect(readPath(user, department)).toBe('R&D');
  });

  it('names the whole selected element for a remove, with the selector value escaped', () => {
    expect(elementPath(email)).toBe('emails[type eq "work"]');
    expect(elementPath(parsePath('emails[type eq "a\\"b"].value')!)).toBe('emails[type eq "a\\"b"]');
  });
});
