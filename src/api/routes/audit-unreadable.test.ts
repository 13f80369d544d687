import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, UnreadableAuditEntry } from '../../core/types.js';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

/**
 * GET /audit over a damaged entry: the page is served with {seq, unreadable}
 * in its place (the store's listMarked, checked against real corruption on
 * every back end in test/conformance/audit-marked.test.ts), not a 500, and
 * paging goes on past it.
 */
describe('GET /audit with an entry the store cannot read back', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
    await f.engine.store.audit.append([1, 2, 3].map((n) => ({ kind: 'change.applied', actor: 'executor:w', data: { n } })));
    // The fake engine's store is SQLite in memory: the damage is simulated at the store's edge, for entry 2.
    const listMarked = f.engine.store.audit.listMarked.bind(f.engine.store.audit);
    f.engine.store.audit.listMarked = async (options) => (await listMarked(options)).map((e): AuditEntry | UnreadableAuditEntry =>
      (e.seq === 2 ? { seq: 2, unreadable: 'its data column is not JSON (Unexpected end of JSON input)' } : e));
  });
  afterEach(async () => {
    await f.close();
  });

  it('serves the page with the marker in the entry\'s place, and pages past it', async () => {
    const page = await f.app.inject({ method: 'GET', url: '/api/v1/audit?limit=2', headers: f.auth(f.tokens.read) });
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body.entries.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(body.entries[1]).toEqual({ seq: 2, unreadable: 'its data column is not JSON (Unexpected end of JSON input)' });
    expect(body.next).toBe(2);
    const rest = await f.app.inject({ method: 'GET', url: `/api/v1/audit?afterSeq=${body.next}`, headers: f.auth(f.tokens.read) });
    expect(rest.json().entries).toMatchObject([{ seq: 3, data: { n: 3 } }]);
  });
});
