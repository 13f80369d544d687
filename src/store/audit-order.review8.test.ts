import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { auditListQuery } from './audit.js';

/**
 * AuditStore.list newest first: 250 entries of one identity among 5,000,
 * the newest 200 of them read back, through the (identity, seq) index.
 */
describe.each(storeBackEnds('roster-audit-order'))('audit list order: $name', (backEnd) => {
  let opened: OpenedStore;

  beforeEach(async () => {
    opened = await backEnd.open();
    // Entry i is identity E{i % 20}'s: E7 has 250 of the 5,000.
    await opened.store.audit.append(Array.from({ length: 5_000 }, (_, i) => ({ kind: 'test.note', actor: 't', identity: `E${i % 20}`, data: { i } })));
    // Someone with a long history: 1,000 entries more, among others' 15,000.
    await opened.store.audit.append(Array.from({ length: 16_000 }, (_, i) => ({
      kind: 'test.note', actor: 't', identity: i % 16 === 0 ? 'LONG' : `X${i % 500}`, data: { i },
    })));
    if (opened.store.dialect === 'postgres') await sql`analyze roster_audit`.execute(opened.db);
  });

  afterEach(async () => {
    await opened.close();
  });

  it("lists an identity's newest entries first with order: 'desc', and its oldest first by default", async () => {
    const newest = await opened.store.audit.list({ identity: 'E7', order: 'desc', limit: 200 });
    expect(newest).toHaveLength(200);
    expect(newest.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 200 }, (_, k) => 4_987 - 20 * k));
    const oldest = await opened.store.audit.list({ identity: 'E7', limit: 200 });
    expect((oldest[0]?.data as { i: number }).i).toBe(7);
    expect((oldest.at(-1)?.data as { i: number }).i).toBe(7 + 20 * 199);
    expect(await opened.store.audit.list({ identity: 'E7', order: 'desc' })).toHaveLength(250);
  });

  async function planOf(identity: string): Promise<string> {
    const compiled = auditListQuery(opened.db, { identity, order: 'desc', limit: 200 }).compile();
    const explain = opened.store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
    const result = await opened.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
    return result.rows.map((row) => row.detail ?? row['QUERY PLAN']).join('\n');
  }

  it('reads them through an index, never a scan of the table; a long history is walked backwards, not sorted', async () => {
    const few = await planOf('E7');
    // SQLite walks the identity index backwards. PostgreSQL finds E7's 250 rows through it and may sort those few.
    expect(few).toContain('roster_audit_identity');
    expect(few).not.toMatch(opened.store.dialect === 'sqlite' ? /TEMP B-TREE|SCAN roster_audit$/m : /Seq Scan/);
    // 1,000 of 21,000: SQLite still walks the identity index; PostgreSQL may walk the seq index backwards
    // instead, filtering, when that reads fewer pages. Either way an index walk that stops at the limit.
    const many = await planOf('LONG');
    expect(many).not.toMatch(/Seq Scan|Sort|TEMP B-TREE|SCAN roster_audit$/m);
    expect(many).toMatch(opened.store.dialect === 'sqlite' ? /SEARCH roster_audit USING INDEX roster_audit_identity/ : /Index Scan Backward/);
  });
});
