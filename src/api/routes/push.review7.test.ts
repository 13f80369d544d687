import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RosterConfig, SourceConfig } from '../../config/types.js';
import { fakeSource } from '../testing/fake-engine.js';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

/**
 * Only a push source takes pushes. A record pushed to a file, directory or
 * scim source is overwritten by the next read of that source (or, for a
 * complete snapshot, the person it made is a leaver at the next read): it is
 * refused before anything is ingested.
 */
describe('POST /sources/:id/records to a source that is not a push source (review7)', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture({ now: () => new Date('2026-11-27T10:00:00Z') });
    const others: SourceConfig[] = [
      { ...fakeSource, id: 'files', type: 'csv', path: '/nowhere/hr.csv', complete: true },
      { ...fakeSource, id: 'idp', type: 'scim', complete: true },
      { ...fakeSource, id: 'corp', type: 'ldap', complete: true },
    ];
    const config: RosterConfig = { ...f.engine.config, sources: [...f.engine.config.sources, ...others] };
    Object.defineProperty(f.engine, 'config', { value: config });
  });
  afterEach(async () => {
    await f.close();
  });

  it.each([['files', 'csv'], ['idp', 'scim'], ['corp', 'ldap']])('refuses a push to %s (type %s) with 400 and ingests nothing', async (id, type) => {
    const res = await f.app.inject({
      method: 'POST', url: `/api/v1/sources/${id}/records`, headers: f.auth(f.tokens.admin), payload: { records: [{ employeeId: 'E1' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'request.invalid',
      message: `source '${id}' is of type ${type}: it takes no pushes (records pushed to it would be overwritten by its next read); push to a source of type push`,
    });
    expect(f.engine.calls.filter((c) => c.method === 'ingest' || c.method === 'reconcileIdentities')).toEqual([]);
  });

  it('still takes a push to the push source', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/sources/hr/records', headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E1' }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().received).toBe(1);
  });
});
