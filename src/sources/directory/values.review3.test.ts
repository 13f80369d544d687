import { describe, expect, it } from 'vitest';
import { entriesToBatch } from './mapping.js';
import { sourceEntry } from './search.js';
import type { MappingRules } from './settings.js';
import { dateValue, type DirectoryEntry } from './values.js';

/**
 * Review 3 of the directory source's value conversions
 * (docs/directory-sources.md, RFC 4517 GeneralizedTime). Each test fails on
 * the code as it was reviewed.
 */
const rules: MappingRules = {
  sourceId: 'corp', kind: 'ad', key: 'objectGUID',
  attributes: { endDate: 'accountExpires' },
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
  disabledStatus: 'terminated',
};

/** An entry as DirectoryReader.search builds it from an ldapts search entry. */
function fromLdapts(dn: string, raw: Record<string, unknown>): DirectoryEntry {
  return sourceEntry({ dn, ...raw });
}

describe('binary attribute values', () => {
  it('two accounts with different objectGUIDs are two people, not a duplicate key', () => {
    // ldapts hands a value that is not valid UTF-8 over as a Buffer (its TextDecoder is fatal),
    // as it does for most objectGUIDs. These two differ only in their first byte.
    const guid = (first: number) => Buffer.from([first, 0x4f, 0x3c, 0xa1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc]);
    const entries = [
      fromLdapts('CN=Ann,OU=Staff,DC=example,DC=com', { objectGUID: guid(0x9a), accountExpires: '0' }),
      fromLdapts('CN=Bob,OU=Staff,DC=example,DC=com', { objectGUID: guid(0x9b), accountExpires: '0' }),
    ];
    const batch = entriesToBatch(entries, rules, new Map(), true);
    expect(batch.problems).toEqual([]);
    expect(batch.records).toHaveLength(2);
    expect(new Set(batch.records.map((r) => r.key)).size).toBe(2);
    for (const record of batch.records) expect(record.key).not.toContain('\uFFFD');
  });
});

describe('GeneralizedTime dates (RFC 4517 3.3.13)', () => {
  it('a date that does not exist is left for the date check, not rolled over into the next month', () => {
    // 30 February: Date.parse quietly makes it 2 March.
    expect(dateValue('20270230000000Z')).not.toBe('2027-03-02T00:00:00.000Z');
    const entries = [fromLdapts('CN=Ann,OU=Staff,DC=example,DC=com', { objectGUID: 'g-1', accountExpires: '20270230000000Z' })];
    const batch = entriesToBatch(entries, rules, new Map(), true);
    expect(batch.problems).toEqual([expect.objectContaining({ key: 'g-1', message: expect.stringContaining('endDate') })]);
  });

  it('a fraction after the hour is a fraction of an hour; a time zone may be given in hours only', () => {
    expect(dateValue('2027013109.5Z')).toBe('2027-01-31T09:30:00.000Z');
    expect(dateValue('20270131093000+01')).toBe('2027-01-31T08:30:00.000Z');
  });
});
