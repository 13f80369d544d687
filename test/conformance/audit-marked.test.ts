import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * AuditStore.listMarked: an entry whose JSON column was edited into text that
 * is not JSON fails list() for the whole page (what GET /api/v1/audit served
 * as a 500: one damaged entry hid the rest of the log). listMarked gives
 * {seq, unreadable} in its place, with every filter and order list takes.
 */
describe.each(storeBackEnds('roster-audit-marked'))('audit: pages with unreadable entries marked ($name)', (backEnd) => {
  const t = useOpenedStore(backEnd);

  async function damaged() {
    const { store, db } = t.opened();
    await store.audit.append(Array.from({ length: 6 }, (_, n) => ({ kind: n % 2 === 0 ? 'change.applied' : 'identity.joiner', actor: 'executor:w', identity: `E${n % 3}`, data: { n } })));
    await sql`update roster_audit set data = '{"n":' where seq = 3`.execute(db);
    return store;
  }

  it('list fails on the damaged entry; listMarked gives every other entry and a marker in its place', async () => {
    const store = await damaged();
    await expect(store.audit.list()).rejects.toThrow(/audit entry 3: its data column is not JSON/);
    const page = await store.audit.listMarked();
    expect(page.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(page[2]).toEqual({ seq: 3, unreadable: expect.stringMatching(/^its data column is not JSON \(.+\)$/) });
    expect(page[3]).toMatchObject({ seq: 4, kind: 'identity.joiner', data: { n: 3 } });
  });

  it('with filters, limits and newest first, as list', async () => {
    const store = await damaged();
    expect((await store.audit.listMarked({ kind: 'change.applied' })).map((e) => e.seq)).toEqual([1, 3, 5]);
    expect((await store.audit.listMarked({ identity: 'E2', order: 'desc' })).map((e) => e.seq)).toEqual([6, 3]);
    expect((await store.audit.listMarked({ afterSeq: 3, limit: 2 })).map((e) => e.seq)).toEqual([4, 5]);
    expect(await store.audit.listMarked({ afterSeq: 2, limit: 1 })).toEqual([{ seq: 3, unreadable: expect.any(String) }]);
  });
});
