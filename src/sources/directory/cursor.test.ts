import { describe, expect, it } from 'vitest';
import { incrementalFilter, nextCursor, parseCursor, withoutBoundary, type DirectoryCursor } from './cursor.js';
import type { DirectoryEntry } from './values.js';

function entry(dn: string, values: Record<string, string>): DirectoryEntry {
  return { dn, values: new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), [v]])) };
}

describe('Active Directory cursor (uSNChanged)', () => {
  it('takes the rootDSE USN read before the pass, else the highest uSNChanged seen', () => {
    const entries = [entry('CN=a', { uSNChanged: '4100' }), entry('CN=b', { uSNChanged: '4205' })];
    expect(nextCursor({ kind: 'ad', entries, previous: undefined, rootUsn: '4200', server: 'CN=dc1' })).toEqual({ kind: 'usn', usn: '4200', server: 'CN=dc1' });
    expect(nextCursor({ kind: 'ad', entries, previous: undefined })).toEqual({ kind: 'usn', usn: '4205' });
    const previous: DirectoryCursor = { kind: 'usn', usn: '4000' };
    expect(nextCursor({ kind: 'ad', entries: [], previous })).toBe(previous);
  });

  it('asks for changes after the cursor and refuses a cursor of the wrong kind', () => {
    expect(incrementalFilter('(objectClass=user)', { kind: 'usn', usn: '9007199254740993' })).toBe('(&(objectClass=user)(uSNChanged>=9007199254740994))');
    expect(parseCursor({ kind: 'usn', usn: '12', server: 'CN=dc1' }, 'ad')).toEqual({ kind: 'usn', usn: '12', server: 'CN=dc1' });
    expect(parseCursor({ kind: 'usn', usn: '12)(x=*' }, 'ad')).toBeUndefined();
    expect(parseCursor({ kind: 'usn', usn: '12' }, 'ldap')).toBeUndefined();
    expect(parseCursor('garbage', 'ad')).toBeUndefined();
  });
});

describe('Active Directory cursor: objectGUID -> key', () => {
  const guid = 'a13c4f9a-2211-4433-5566-778899aabbcc';

  it('keeps the map a pass gives it, and reads back only the pairs that are one', () => {
    expect(nextCursor({ kind: 'ad', entries: [], previous: undefined, rootUsn: '50', server: 'CN=dc1', keys: { [guid]: 'E1' } }))
      .toEqual({ kind: 'usn', usn: '50', server: 'CN=dc1', keys: { [guid]: 'E1' } });
    const stored = { kind: 'usn', usn: '50', server: 'CN=dc1', keys: { [guid]: 'E1', 'A13C4F9A-2211-4433-5566-778899AABBCC': 'E2', 'not-a-guid': 'E3', [guid.replace('a1', 'b1')]: '', x: 4 } };
    expect(parseCursor(stored, 'ad')).toEqual({ kind: 'usn', usn: '50', server: 'CN=dc1', keys: { [guid]: 'E1' } });
  });

  it('a cursor stored before (no map) stays one without a map, so its incremental passes find no leavers', () => {
    expect(parseCursor({ kind: 'usn', usn: '50', server: 'CN=dc1' }, 'ad')).toEqual({ kind: 'usn', usn: '50', server: 'CN=dc1' });
    expect(parseCursor({ kind: 'usn', usn: '50', keys: [guid] }, 'ad')).toEqual({ kind: 'usn', usn: '50' });
    expect(nextCursor({ kind: 'ad', entries: [], previous: { kind: 'usn', usn: '40' }, rootUsn: '50' })).toEqual({ kind: 'usn', usn: '50' });
  });
});

describe('OpenLDAP cursor (modifyTimestamp)', () => {
  const at = '20261127100000Z';
  it('moves back from the latest modifyTimestamp by the pass\'s duration and one second, with every entry read since as the boundary', () => {
    const entries = [
      entry('uid=a,dc=x', { modifyTimestamp: '20261127095957Z', entryCSN: 'csn-a' }),
      entry('uid=old,dc=x', { modifyTimestamp: '20261127095900Z', entryCSN: 'csn-old' }),
      entry('UID=b,dc=x', { modifyTimestamp: at, entryCSN: 'csn-b' }),
      entry('uid=c,dc=x', { modifyTimestamp: '20261127095959Z', entryCSN: 'csn-c' }),
    ];
    // 1.2 s pass: 10:00:00 - 2.2 s = 09:59:57.8, down to the second.
    expect(nextCursor({ kind: 'ldap', entries, previous: undefined, durationMs: 1200 })).toEqual({
      kind: 'timestamp', at: '20261127095957Z', boundary: { 'uid=a,dc=x': 'csn-a', 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c' },
    });
    // A pass that took no time still steps back one second (timestamps are whole seconds).
    expect(nextCursor({ kind: 'ldap', entries, previous: undefined })).toEqual({
      kind: 'timestamp', at: '20261127095959Z', boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c' },
    });
  });

  it('a change made during a paged pass to an entry on a page already read, at an earlier second, is read by the next pass', () => {
    // Pass from 10:00:00 to 10:00:03: page 1 read uid=p1 as it was (09:50), then p1 changed at
    // 10:00:01 and p3, on a later page, changed at 10:00:02.
    const found = [
      entry('uid=p1,dc=x', { modifyTimestamp: '20261127095000Z', entryCSN: 'csn-p1' }),
      entry('uid=p3,dc=x', { modifyTimestamp: '20261127100002Z', entryCSN: 'csn-p3' }),
    ];
    const cursor = nextCursor({ kind: 'ldap', entries: found, previous: undefined, durationMs: 3000 });
    expect(cursor).toEqual({ kind: 'timestamp', at: '20261127095958Z', boundary: { 'uid=p3,dc=x': 'csn-p3' } });
    const next = [
      entry('uid=p1,dc=x', { modifyTimestamp: '20261127100001Z', entryCSN: 'csn-p1b' }),
      entry('uid=p3,dc=x', { modifyTimestamp: '20261127100002Z', entryCSN: 'csn-p3' }),
    ];
    expect(incrementalFilter('(objectClass=inetOrgPerson)', cursor!)).toBe('(&(objectClass=inetOrgPerson)(modifyTimestamp>=20261127095958Z))');
    expect(withoutBoundary(next, cursor!).map((e) => e.dn)).toEqual(['uid=p1,dc=x']);
  });

  it('skips a boundary entry with the same entryCSN whatever its modifyTimestamp, and never one without an entryCSN', () => {
    const cursor: DirectoryCursor = { kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c', 'uid=e,dc=x': '' } };
    expect(incrementalFilter('(objectClass=inetOrgPerson)', cursor)).toBe(`(&(objectClass=inetOrgPerson)(modifyTimestamp>=${at}))`);
    const found = [
      entry('UID=B,dc=x', { modifyTimestamp: '20261127100005Z', entryCSN: 'csn-b' }),
      entry('uid=c,dc=x', { modifyTimestamp: at, entryCSN: 'csn-c2' }),
      entry('uid=d,dc=x', { modifyTimestamp: '20261127100001Z', entryCSN: 'csn-d' }),
      entry('uid=e,dc=x', { modifyTimestamp: at }),
    ];
    expect(withoutBoundary(found, cursor).map((e) => e.dn)).toEqual(['uid=c,dc=x', 'uid=d,dc=x', 'uid=e,dc=x']);
  });

  it('never moves back before the previous cursor, and then holds every entry the pass read', () => {
    const previous: DirectoryCursor = { kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=gone,dc=x': 'csn-g' } };
    const found = [
      entry('uid=b,dc=x', { modifyTimestamp: at, entryCSN: 'csn-b' }),
      entry('uid=c,dc=x', { modifyTimestamp: '20261127100001Z', entryCSN: 'csn-c' }),
    ];
    expect(nextCursor({ kind: 'ldap', entries: found, previous, durationMs: 500 })).toEqual({
      kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c' },
    });
    expect(nextCursor({ kind: 'ldap', entries: [], previous })).toBe(previous);
    // Far enough ahead, the window moves on and leaves the older entries out.
    const later = [...found, entry('uid=d,dc=x', { modifyTimestamp: '20261127100010Z', entryCSN: 'csn-d' })];
    expect(nextCursor({ kind: 'ldap', entries: later, previous, durationMs: 500 })).toEqual({
      kind: 'timestamp', at: '20261127100008Z', boundary: { 'uid=d,dc=x': 'csn-d' },
    });
  });

  it('a cursor stored before (boundary only at exactly `at`) still skips just those entries unchanged', () => {
    const stored = parseCursor(JSON.parse(JSON.stringify({ kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b' } })), 'ldap')!;
    const found = [
      entry('uid=b,dc=x', { modifyTimestamp: at, entryCSN: 'csn-b' }),
      entry('uid=c,dc=x', { modifyTimestamp: at, entryCSN: 'csn-c' }),
    ];
    expect(withoutBoundary(found, stored).map((e) => e.dn)).toEqual(['uid=c,dc=x']);
  });

  it('round-trips through JSON and refuses a malformed timestamp', () => {
    const cursor = { kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b' } };
    expect(parseCursor(JSON.parse(JSON.stringify(cursor)), 'ldap')).toEqual(cursor);
    expect(parseCursor({ ...cursor, at: '2026*' }, 'ldap')).toBeUndefined();
  });
});
