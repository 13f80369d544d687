import { describe, expect, it } from 'vitest';
import { compareCsn, csnBySid, NEWEST, nextStamp, restoreSince, stampNow, storedStamp } from './ldap-restore.js';
import type { DirectoryEntry } from './values.js';

const csn = (time: string, sid = '000', count = '000000') => `${time}#${count}#${sid}#000000`;
const entry = (uuid: string, entryCsn: string): DirectoryEntry => ({
  dn: `uid=${uuid},dc=x`, values: new Map([['entryuuid', [uuid]], ['entrycsn', [entryCsn]]]),
});
const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';

describe('ldap directory restored from an older backup (review 22)', () => {
  it('orders CSNs by time, then change count; keeps the latest per server id', () => {
    expect(compareCsn(csn('20260101000000.000001Z'), csn('20260101000000.000002Z'))).toBe(-1);
    expect(compareCsn(csn('20260101000001Z'), csn('20260101000000.999999Z'))).toBe(1);
    expect(compareCsn(csn('20260101000000.5Z'), csn('20260101000000.400000Z'))).toBe(1);
    expect(compareCsn(csn('20260101000000.000001Z', '000', '000002'), csn('20260101000000.000001Z', '000', '000001'))).toBe(1);
    expect(compareCsn('not a csn', csn('20260101000000Z'))).toBeUndefined();
    expect(csnBySid([csn('20260101000000Z', '001'), csn('20260102000000Z', '002'), csn('20260103000000Z', '001'), 'junk'])).toEqual({
      '001': csn('20260103000000Z', '001'), '002': csn('20260102000000Z', '002'),
    });
  });

  it('compares contextCSN per server id: one behind, or one missing while others are there, is a restore; one ahead is not', () => {
    const stored = { csn: { '001': csn('20260105000000Z', '001'), '002': csn('20260105000000Z', '002') }, newest: {} };
    // Server 002 wrote since (a replica promoted writes under its own id) while 001 is behind: still a restore.
    expect(restoreSince(stored, { csn: { '001': csn('20260104000000Z', '001'), '002': csn('20260106000000Z', '002') }, newest: {} }))
      .toContain('server id 001 went back');
    expect(restoreSince(stored, { csn: { '002': csn('20260106000000Z', '002') }, newest: {} })).toContain('no value for server id 001');
    expect(restoreSince(stored, { csn: { '001': csn('20260106000000Z', '001'), '002': csn('20260105000000Z', '002'), '003': csn('20260101000000Z', '003') }, newest: {} }))
      .toBeUndefined();
    // No contextCSN now (no syncprov, or hidden from the bind): not compared, as before.
    expect(restoreSince(stored, { csn: {}, newest: {} })).toBeUndefined();
  });

  it('an entry read at one entryCSN and now at an older one is a restore; one gone, or newer, is not', () => {
    const stored = { csn: {}, newest: { [U1]: csn('20260105000000Z'), [U2]: csn('20260105000001Z') } };
    expect(restoreSince(stored, { csn: {}, newest: { [U1]: csn('20260104000000Z') } })).toContain(`the entry ${U1}`);
    expect(restoreSince(stored, { csn: {}, newest: { [U1]: csn('20260106000000Z') } })).toBeUndefined();
    expect(restoreSince(stored, { csn: {}, newest: {} })).toBeUndefined();
  });

  it('another naming context entryUUID is another directory; no stored stamp (a cursor from before) is no restore', () => {
    expect(restoreSince({ uuid: U1, csn: {}, newest: {} }, { uuid: U2, csn: {}, newest: {} })).toContain('entryUUID changed');
    expect(restoreSince({ uuid: U1, csn: {}, newest: {} }, { csn: {}, newest: {} })).toBeUndefined();
    expect(restoreSince(undefined, { uuid: U2, csn: {}, newest: {} })).toBeUndefined();
    expect(storedStamp({ kind: 'timestamp' })).toBeUndefined();
    expect(storedStamp({ directory: { uuid: U1, csn: { '000': 'x', bad: 3 }, newest: [] } })).toEqual({ uuid: U1, csn: { '000': 'x' }, newest: {} });
  });

  it('keeps the NEWEST entries by entryCSN: an incremental pass merges with the stored ones, a full pass keeps only its own', () => {
    const many = Array.from({ length: NEWEST + 2 }, (_, i) => entry(`00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, csn(`202601010000${String(i).padStart(2, '0')}Z`)));
    const stored = { csn: {}, newest: { [U1]: csn('20270101000000Z') } };
    const incremental = nextStamp({ csn: { '000': csn('20260101000000Z') } }, { read: many, stored, full: false });
    expect(Object.keys(incremental.newest)).toHaveLength(NEWEST);
    expect(incremental.newest[U1]).toBe(csn('20270101000000Z'));
    expect(incremental.newest[many[0]!.values.get('entryuuid')![0]!]).toBeUndefined();
    expect(incremental.csn).toEqual({ '000': csn('20260101000000Z') });
    const full = nextStamp({ uuid: U2, csn: {} }, { read: many, stored, full: true });
    expect(full.newest[U1]).toBeUndefined();
    expect(full.newest[many[NEWEST + 1]!.values.get('entryuuid')![0]!]).toBeDefined();
    expect(full.uuid).toBe(U2);
  });

  it('reads the naming context and the stored newest entries; a context this bind cannot read leaves nothing to compare', async () => {
    const asked: string[][] = [];
    const reader = {
      namingContext: async () => ({ dn: 'dc=x', values: new Map([['entryuuid', [U1.toUpperCase()]], ['contextcsn', [csn('20260101000000Z', '001')]]]) }),
      fewByEntryUuid: async (uuids: readonly string[], _attributes: readonly string[], base?: string) => { asked.push([...uuids, base ?? '']); return [entry(U2, csn('20260102000000Z'))]; },
    };
    expect(await stampNow(reader, { csn: {}, newest: { [U2]: 'x' } })).toEqual({ uuid: U1, csn: { '001': csn('20260101000000Z', '001') }, newest: { [U2]: csn('20260102000000Z') } });
    expect(asked).toEqual([[U2, 'dc=x']]);
    const hidden = { namingContext: async () => undefined, fewByEntryUuid: async () => { throw new Error('not asked'); } };
    expect(await stampNow(hidden, undefined)).toEqual({ csn: {}, newest: {} });
  });
});
