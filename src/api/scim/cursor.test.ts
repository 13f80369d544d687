import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CURSOR_LIFETIME_SECONDS, decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';

const KEY = randomBytes(32);
const QUERY = JSON.stringify([['User'], 'userName sw "a"', ['userName', false]]);
const NOW = new Date('2026-11-27T10:00:00Z');
const POSITION: CursorPosition = { resourceType: 'User', after: { sortValue: 'alice@example.com', id: 'u-1' }, count: 100 };

/** Expects `run` to throw a 400-class RosterError with this RFC 9865 scimType. */
function expectFault(run: () => unknown, scimType: string, label?: string): void {
  expect(run, label).toThrow(expect.objectContaining({ code: 'request.invalid', details: { scimType } }));
}

describe('SCIM cursors (RFC 9865)', () => {
  it('round-trips a position, including a NULL or numeric sort value, in URI-unreserved characters', () => {
    for (const sortValue of ['alice@example.com', null, 42.5, '']) {
      const position = { ...POSITION, after: { ...POSITION.after, sortValue } };
      const cursor = encodeCursor(KEY, QUERY, position, NOW);
      expect(cursor).toMatch(/^[A-Za-z0-9._~-]+$/);
      expect(decodeCursor(KEY, QUERY, cursor, NOW)).toEqual(position);
    }
  });

  it('refuses a cursor with a changed payload or signature as invalidCursor', () => {
    const [payload, signature] = encodeCursor(KEY, QUERY, POSITION, NOW).split('.') as [string, string];
    const moved = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('u-1', 'u-9')).toString('base64url');
    expectFault(() => decodeCursor(KEY, QUERY, `${moved}.${signature}`, NOW), 'invalidCursor');
    // The first character carries six bits of the MAC (the last one has padding bits a decoder may drop).
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expectFault(() => decodeCursor(KEY, QUERY, `${payload}.${flipped}`, NOW), 'invalidCursor');
    expectFault(() => decodeCursor(KEY, QUERY, `${payload}.${signature.slice(0, 10)}`, NOW), 'invalidCursor');
  });

  it('refuses garbage, another query (filter or sort) and another key as invalidCursor', () => {
    const cursor = encodeCursor(KEY, QUERY, POSITION, NOW);
    for (const garbage of ['x', 'a.b.c', `${cursor}=`, 'a b.c', '.']) {
      expectFault(() => decodeCursor(KEY, QUERY, garbage, NOW), 'invalidCursor', garbage);
    }
    const otherSort = JSON.stringify([['User'], 'userName sw "a"', ['userName', true]]);
    expectFault(() => decodeCursor(KEY, otherSort, cursor, NOW), 'invalidCursor');
    expectFault(() => decodeCursor(randomBytes(32), QUERY, cursor, NOW), 'invalidCursor');
  });

  it('honours a cursor for CURSOR_LIFETIME_SECONDS, then answers expiredCursor', () => {
    const cursor = encodeCursor(KEY, QUERY, POSITION, NOW);
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(decodeCursor(KEY, QUERY, cursor, at(CURSOR_LIFETIME_SECONDS))).toEqual(POSITION);
    expectFault(() => decodeCursor(KEY, QUERY, cursor, at(CURSOR_LIFETIME_SECONDS + 1)), 'expiredCursor');
  });
});
