import { describe, expect, it } from 'vitest';
import { entriesToBatch, keysByDn, unresolvedManagers } from './mapping.js';
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
    expect(batch.records.map((r) => r.key)).toEqual(['E1']);
    expect(batch.rowsRead).toBe(3);
    expect(batch.problems).toEqual([
      { line: 2, message: 'entry uid=svc,dc=example,dc=com has no employeeNumber: it cannot be correlated' },
      { line: 3, key: 'E1', message: 'entry uid=b,dc=example,dc=com has employeeNumber "E1", already used by uid=a,dc=example,dc=com' },
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
    expect(batch.problems).toEqual([{ line: 1, key: 'E1', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "next week"' }]);
  });
});
