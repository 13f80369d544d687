import { describe, expect, it } from 'vitest';
import { entriesToBatch, holdersByKey, holdersFilter, keyChunks, keysByDn, needsHolderCheck, unresolvedManagers } from './mapping.js';
import type { MappingRules } from './settings.js';
import type { DirectoryEntry } from './values.js';

const fields = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };
const ldapRules: MappingRules = {
  sourceId: 'dir', kind: 'ldap', key: 'employeeNumber', fields, disabledStatus: 'terminated',
  attributes: { givenName: 'givenName', familyName: 'sn', email: 'mail', managerId: 'manager', endDate: 'roster-end' },
};
const adRules: MappingRules = { ...ldapRules, kind: 'ad', key: 'employeeID', attributes: { givenName: 'givenName', endDate: 'accountExpires' } };

function entry(dn: string, values: Record<string, string | string[]>): DirectoryEntry {
  return { dn, values: new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]])) };
}

describe('entriesToBatch', () => {
  it('maps every configured attribute ("" when absent), keeps the key and resolves a DN-valued manager', () => {
    const boss = entry('uid=boss,ou=People,dc=example,dc=com', { employeeNumber: 'E1', givenName: 'Ada', sn: 'Boss', mail: ['ada@example.com', 'a@example.com'] });
    const worker = entry('uid=w,ou=people,dc=example,dc=com', { employeeNumber: 'E2', givenName: 'Bo', manager: 'UID=boss, ou=people,dc=example,dc=com', 'roster-end': '20270131000000Z' });
    const batch = entriesToBatch([boss, worker], ldapRules, keysByDn([boss, worker], 'employeeNumber'), true);
    expect(batch).toMatchObject({ sourceId: 'dir', complete: true, rowsRead: 2, problems: [] });
    expect(batch.records).toEqual([
      { key: 'E1', line: 1, attributes: { employeeNumber: 'E1', givenName: 'Ada', familyName: 'Boss', email: 'ada@example.com', managerId: '', endDate: '' } },
      { key: 'E2', line: 2, attributes: { employeeNumber: 'E2', givenName: 'Bo', familyName: '', email: '', managerId: 'E1', endDate: '2027-01-31T00:00:00.000Z' } },
    ]);
  });

  it('reports entries without the key or with a key already used, naming their DNs', () => {
    const batch = entriesToBatch([
      entry('uid=a,dc=example,dc=com', { employeeNumber: 'E1' }),
      entry('uid=svc,dc=example,dc=com', { givenName: 'Service' }),
      entry('uid=b,dc=example,dc=com', { employeeNumber: 'E1' }),
    ], ldapRules, new Map(), true);
    // Both holders of E1 are problems (review 13): the directory's order must not pick who takes the identity.
    expect(batch.records.map((r) => r.key)).toEqual([]);
    expect(batch.rowsRead).toBe(3);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E1', message: 'entry uid=a,dc=example,dc=com has employeeNumber "E1", also held by uid=b,dc=example,dc=com' },
      { line: 2, message: 'entry uid=svc,dc=example,dc=com has no employeeNumber: it cannot be correlated' },
      { line: 3, key: 'E1', message: 'entry uid=b,dc=example,dc=com has employeeNumber "E1", also held by uid=a,dc=example,dc=com' },
    ]);
  });

  it('keeps the person but reports a manager that cannot be resolved', () => {
    const worker = entry('uid=w,dc=example,dc=com', { employeeNumber: 'E2', manager: 'uid=gone,dc=example,dc=com' });
    expect(unresolvedManagers([worker], ldapRules, new Map())).toEqual(['uid=gone,dc=example,dc=com']);
    const batch = entriesToBatch([worker], ldapRules, new Map(), false);
    expect(batch.complete).toBe(false);
    expect(batch.records[0]!.attributes.managerId).toBe('');
    expect(batch.problems).toEqual([{ line: 1, key: 'E2', message: 'entry uid=w,dc=example,dc=com: manager uid=gone,dc=example,dc=com was not found or has no employeeNumber; managerId left empty' }]);
  });

  it('gives a disabled AD account the disabled status and converts accountExpires', () => {
    const batch = entriesToBatch([
      entry('CN=a,DC=x', { employeeID: 'E1', userAccountControl: '514', accountExpires: '9223372036854775807' }),
      entry('CN=b,DC=x', { employeeID: 'E2', userAccountControl: '512', accountExpires: '0' }),
      entry('CN=c,DC=x', { employeeID: 'E3', userAccountControl: '66048', accountExpires: '134142912000000000' }),
    ], { ...adRules, disabledStatus: 'leaver' }, new Map(), true);
    expect(batch.records.map((r) => [r.key, r.attributes.status, r.attributes.endDate])).toEqual([
      ['E1', 'leaver', ''], ['E2', '', ''], ['E3', '', '2026-01-30'],
    ]);
  });

  it('reports a date field that is neither GeneralizedTime, FILETIME nor ISO', () => {
    const batch = entriesToBatch([entry('uid=a,dc=x', { employeeNumber: 'E1', 'roster-end': 'next week' })], ldapRules, new Map(), true);
    expect(batch.problems).toEqual([{ line: 1, key: 'E1', message: 'entry uid=a,dc=x: roster-end (endDate) is not a date (an ISO date, a date-time or a directory time): "next week"' }]);
  });
});

describe('keys another entry holds (incremental passes)', () => {
  const alice = entry('uid=alice,ou=people,dc=example,dc=com', { employeeNumber: 'D1', givenName: 'Alice' });
  const bob = entry('uid=bob,ou=people,dc=example,dc=com', { employeeNumber: 'D1', givenName: 'Bob' });
  const carol = entry('uid=carol,ou=people,dc=example,dc=com', { employeeNumber: 'D3', givenName: 'Carol' });

  it('rejects an entry of the pass whose key another entry in the directory holds, naming both DNs', () => {
    // The pass read bob and carol; the directory says alice holds D1 too, and carol's own entry (another spelling of its DN) holds D3.
    const holders = holdersByKey([alice, bob, entry('UID=Carol, ou=People,dc=example,dc=com', { employeeNumber: 'D3' })], 'employeeNumber');
    const batch = entriesToBatch([bob, carol], ldapRules, new Map(), false, holders);
    expect(batch.records.map((r) => r.key)).toEqual(['D3']);
    expect(batch.problems).toEqual([{ line: 1, key: 'D1', message: expect.stringMatching(/^entry uid=bob,ou=people,dc=example,dc=com has employeeNumber "D1", also held by uid=alice,ou=people,dc=example,dc=com$/) }]);
  });

  it('compares keys as the directory does (case and Unicode form aside, review 20), and an entry holding several keys holds each of them (review 13)', () => {
    // dora may be the D1 person with a D9 added by mistake: bob, typed D1, must not take D1's identity whatever the value order.
    // erin's d1 is D1 to the directory (caseIgnoreMatch) and to Roster (lifecycle/respelled.ts): she holds it too.
    const other = entry('uid=dora,ou=people,dc=example,dc=com', { employeeNumber: ['D9', 'D1'] });
    const holders = holdersByKey([bob, other, entry('uid=erin,ou=people,dc=example,dc=com', { employeeNumber: 'd1' })], 'employeeNumber');
    expect([...holders]).toEqual([
      ['d1', ['uid=bob,ou=people,dc=example,dc=com', 'uid=dora,ou=people,dc=example,dc=com', 'uid=erin,ou=people,dc=example,dc=com']],
      ['d9', ['uid=dora,ou=people,dc=example,dc=com']],
    ]);
    expect(entriesToBatch([bob], ldapRules, new Map(), false, holders).problems).toEqual([
      { line: 1, key: 'D1', message: 'entry uid=bob,ou=people,dc=example,dc=com has employeeNumber "D1", also held by uid=dora,ou=people,dc=example,dc=com; uid=erin,ou=people,dc=example,dc=com' },
    ]);
  });

  it('asks in chunks of at most 100 distinct keys, with the values escaped', () => {
    const many = Array.from({ length: 205 }, (_, i) => entry(`uid=u${i},dc=x`, { employeeNumber: `E${i % 201}` }));
    const chunks = keyChunks([...many, entry('uid=none,dc=x', {})], 'employeeNumber');
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 1]);
    expect(new Set(chunks.flat()).size).toBe(201);
    expect(holdersFilter('(objectClass=inetOrgPerson)', 'employeeNumber', ['a*)(uid=x', 'b'])).toBe('(&(objectClass=inetOrgPerson)(|(employeeNumber=a\\2a\\29\\28uid=x)(employeeNumber=b)))');
  });

  it('does not ask when the directory keeps the key unique itself', () => {
    expect(needsHolderCheck('employeeNumber')).toBe(true);
    for (const key of ['dn', 'objectGUID', 'objectSid']) expect(needsHolderCheck(key)).toBe(false);
  });
});
