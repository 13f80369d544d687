import { describe, expect, it } from 'vitest';
import { nextCursor, parseCursor } from './cursor.js';
import { entryKeys, ldapRekeyedDns } from './reports.js';
import type { DirectoryEntry } from './values.js';

const entry = (dn: string, values: Record<string, string>): DirectoryEntry =>
  ({ dn, values: new Map(Object.entries(values).map(([name, value]) => [name.toLowerCase(), [value]])) });
const U1 = '11111111-2222-3333-4444-555555555555';
const U2 = '21111111-2222-3333-4444-555555555555';
const U3 = '31111111-2222-3333-4444-555555555555';

describe('ldap timestamp cursor: entryUUID -> key (review 20)', () => {
  it('entryKeys: a full pass maps every entry with both; an update keeps the entries it did not read and an entry without a key', () => {
    const read = [entry('uid=a,dc=x', { entryUUID: U1.toUpperCase(), employeeNumber: 'A' }), entry('uid=b,dc=x', { employeeNumber: 'B' }), entry('uid=c,dc=x', { entryUUID: U3 })];
    expect(entryKeys(read, 'employeeNumber')).toEqual({ [U1]: 'A' });
    expect(entryKeys([entry('uid=a,dc=x', { entryUUID: U1, employeeNumber: 'A2' }), entry('uid=c,dc=x', { entryUUID: U3 })], 'employeeNumber', { [U1]: 'A', [U2]: 'B', [U3]: 'C' }))
      .toEqual({ [U1]: 'A2', [U2]: 'B', [U3]: 'C' });
  });

  it('ldapRekeyedDns: with a map only a changed key (or no entryUUID to tell by); without one every entry read', () => {
    const read = [
      entry('uid=a,dc=x', { entryUUID: U1, employeeNumber: 'A2' }), entry('uid=b,dc=x', { entryUUID: U2, employeeNumber: 'B' }),
      entry('uid=n,dc=x', { entryUUID: U3, employeeNumber: 'N' }), entry('uid=h,dc=x', { employeeNumber: 'H' }),
    ];
    expect(ldapRekeyedDns(read, 'employeeNumber', { [U1]: 'A', [U2]: 'B' })).toEqual(['uid=a,dc=x', 'uid=h,dc=x']);
    expect(ldapRekeyedDns(read, 'employeeNumber', undefined)).toEqual(read.map((e) => e.dn));
  });

  it('the map is stored on the next cursor, parsed back (bad pairs dropped), and a cursor without it parses without one', () => {
    const entries = [entry('uid=a,dc=x', { modifyTimestamp: '20261127100000Z', entryCSN: 'csn1', entryUUID: U1, employeeNumber: 'A' })];
    const next = nextCursor({ kind: 'ldap', entries, previous: undefined, durationMs: 0, keys: { [U1]: 'A' } });
    expect(next).toMatchObject({ kind: 'timestamp', keys: { [U1]: 'A' } });
    expect(parseCursor(JSON.parse(JSON.stringify({ ...next, keys: { [U1]: 'A', 'not-a-uuid': 'X', [U2]: '' } })), 'ldap')).toEqual(next);
    const { keys: _keys, ...old } = next as { keys?: unknown };
    expect(parseCursor(old, 'ldap')).not.toHaveProperty('keys');
    // A pass that read nothing keeps the cursor, with the map it was given.
    expect(nextCursor({ kind: 'ldap', entries: [], previous: parseCursor(old, 'ldap'), keys: { [U2]: 'B' } })).toMatchObject({ keys: { [U2]: 'B' } });
  });
});
