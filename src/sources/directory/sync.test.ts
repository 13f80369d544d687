import { describe, expect, it } from 'vitest';
import type { SyncRead } from './search.js';
import { parseSyncCursor, syncChanges } from './sync.js';
import type { DirectoryEntry } from './values.js';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function entry(uid: string, employeeNumber?: string): DirectoryEntry {
  const values = new Map<string, string[]>([['uid', [uid]]]);
  if (employeeNumber !== undefined) values.set('employeenumber', [employeeNumber]);
  return { dn: `uid=${uid},ou=people,dc=x`, values };
}

function read(partial: Partial<SyncRead>): SyncRead {
  return { entries: [], infos: [], refreshDeletes: true, cookie: undefined, ...partial };
}

const rules = { key: 'employeeNumber' };
const before = { [U(1)]: 'E1', [U(2)]: 'E2', [U(3)]: 'E3' };

describe('syncChanges', () => {
  it('with refreshDeletes: deletions listed by syncIdSet or a delete state are gone; changed entries are read', () => {
    const changes = syncChanges(before, read({
      entries: [{ state: 'add', uuid: U(4), entry: entry('p4', 'E4') }, { state: 'delete', uuid: U(3), entry: entry('p3') }],
      infos: [{ kind: 'syncIdSet', refreshDeletes: true, uuids: [U(1), U(99)] }],
    }), rules);
    expect(changes.gone).toEqual(['E1', 'E3']);
    expect(changes.deleted).toBe(2);
    expect(changes.entries.map((e) => e.dn)).toEqual(['uid=p4,ou=people,dc=x']);
    expect(changes.keys).toEqual({ [U(2)]: 'E2', [U(4)]: 'E4' });
  });

  it('without refreshDeletes: everyone neither listed present nor sent is gone', () => {
    const changes = syncChanges(before, read({
      refreshDeletes: false,
      entries: [{ state: 'modify', uuid: U(2), entry: entry('p2', 'E2') }],
      infos: [{ kind: 'syncIdSet', refreshDeletes: false, uuids: [U(1)] }],
    }), rules);
    expect(changes.gone).toEqual(['E3']);
    expect(Object.keys(changes.keys).sort()).toEqual([U(1), U(2)]);
  });

  it('a changed key leaves the old one gone unless another entry holds it; an entry without a key keeps its old one', () => {
    const changed = syncChanges(before, read({ entries: [{ state: 'modify', uuid: U(1), entry: entry('p1', 'E9') }] }), rules);
    expect(changed.gone).toEqual(['E1']);
    expect(changed.deleted).toBe(0);
    const swapped = syncChanges(before, read({
      entries: [{ state: 'modify', uuid: U(1), entry: entry('p1', 'E2') }, { state: 'modify', uuid: U(2), entry: entry('p2', 'E1') }],
    }), rules);
    expect(swapped.gone).toEqual([]);
    const keyless = syncChanges(before, read({ entries: [{ state: 'modify', uuid: U(3), entry: entry('p3') }] }), rules);
    expect(keyless.gone).toEqual([]);
    expect(keyless.keys[U(3)]).toBe('E3');
    expect(keyless.entries).toHaveLength(1);
  });

  it('a deleted entry whose key a new entry holds is nobody gone (deleted and added again)', () => {
    const changes = syncChanges(before, read({
      entries: [{ state: 'add', uuid: U(5), entry: entry('p1', 'E1') }],
      infos: [{ kind: 'syncIdSet', refreshDeletes: true, uuids: [U(1)] }],
    }), rules);
    expect(changes).toMatchObject({ gone: [], deleted: 1 });
  });
});

describe('parseSyncCursor', () => {
  it('round-trips through JSON, dropping malformed keys; refuses another kind or a cookie that is not base64', () => {
    const cursor = { kind: 'sync', cookie: Buffer.from('rid=000,csn=1').toString('base64'), keys: before };
    expect(parseSyncCursor(JSON.parse(JSON.stringify(cursor)))).toEqual(cursor);
    expect(parseSyncCursor({ ...cursor, keys: { ...before, 'not-a-uuid': 'E7', [U(8)]: 8 } })).toEqual(cursor);
    expect(parseSyncCursor({ ...cursor, kind: 'timestamp' })).toBeUndefined();
    expect(parseSyncCursor({ ...cursor, cookie: 'rid=000,csn=1' })).toBeUndefined();
    expect(parseSyncCursor({ ...cursor, cookie: '' })).toBeUndefined();
    expect(parseSyncCursor('garbage')).toBeUndefined();
  });
});
