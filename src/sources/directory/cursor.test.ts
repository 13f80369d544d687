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

describe('OpenLDAP cursor (modifyTimestamp)', () => {
  const at = '20261127100000Z';
  it('keeps the latest modifyTimestamp and the entries seen at exactly that second', () => {
    const entries = [
      entry('uid=a,dc=x', { modifyTimestamp: '20261127095959Z', entryCSN: 'csn-a' }),
      entry('UID=b,dc=x', { modifyTimestamp: at, entryCSN: 'csn-b' }),
      entry('uid=c,dc=x', { modifyTimestamp: at, entryCSN: 'csn-c' }),
    ];
    expect(nextCursor({ kind: 'ldap', entries, previous: undefined })).toEqual({ kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c' } });
  });

  it('asks for modifyTimestamp>= the cursor and drops boundary entries unchanged since', () => {
    const cursor: DirectoryCursor = { kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c' } };
    expect(incrementalFilter('(objectClass=inetOrgPerson)', cursor)).toBe(`(&(objectClass=inetOrgPerson)(modifyTimestamp>=${at}))`);
    const found = [
      entry('uid=b,dc=x', { modifyTimestamp: at, entryCSN: 'csn-b' }),
      entry('uid=c,dc=x', { modifyTimestamp: at, entryCSN: 'csn-c2' }),
      entry('uid=d,dc=x', { modifyTimestamp: '20261127100001Z', entryCSN: 'csn-d' }),
    ];
    expect(withoutBoundary(found, cursor).map((e) => e.dn)).toEqual(['uid=c,dc=x', 'uid=d,dc=x']);
    expect(nextCursor({ kind: 'ldap', entries: found, previous: cursor })).toEqual({ kind: 'timestamp', at: '20261127100001Z', boundary: { 'uid=d,dc=x': 'csn-d' } });
  });

  it('within the same second, keeps earlier boundary entries and takes the newer entryCSN of one read again', () => {
    const previous: DirectoryCursor = { kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c' } };
    const found = [entry('uid=c,dc=x', { modifyTimestamp: at, entryCSN: 'csn-c2' })];
    expect(nextCursor({ kind: 'ldap', entries: found, previous })).toEqual({ kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b', 'uid=c,dc=x': 'csn-c2' } });
  });

  it('round-trips through JSON and refuses a malformed timestamp', () => {
    const cursor = { kind: 'timestamp', at, boundary: { 'uid=b,dc=x': 'csn-b' } };
    expect(parseCursor(JSON.parse(JSON.stringify(cursor)), 'ldap')).toEqual(cursor);
    expect(parseCursor({ ...cursor, at: '2026*' }, 'ldap')).toBeUndefined();
  });
});
