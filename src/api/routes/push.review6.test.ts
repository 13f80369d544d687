import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RosterConfig } from '../../config/types.js';
import type { SourceBatch } from '../../core/types.js';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

const url = '/api/v1/sources/hr/records';

describe('POST /sources/:id/records: terminate (review6)', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture({ now: () => new Date('2026-11-27T10:00:00Z') });
  });
  afterEach(async () => {
    await f.close();
  });

  it('writes a status the lifecycle reads as terminated: the first of lifecycle.terminatedStatuses', async () => {
    const config: RosterConfig = { ...f.engine.config, lifecycle: { ...f.engine.config.lifecycle, terminatedStatuses: ['Inactive', 'Leaver'] } };
    Object.defineProperty(f.engine, 'config', { value: config });
    const res = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E7', _action: 'terminate' }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().diagnostics).toEqual([]);
    const batch = f.engine.calls.find((c) => c.method === 'ingest')?.args[0] as SourceBatch;
    expect(batch.records).toEqual([{
      key: 'E7', line: 1, endsOnArrival: true, attributes: { employeeId: 'E7', status: 'Inactive', endDate: '2026-11-27T10:00:00.000Z' },
    }]);
  });

  it('reports an end date that is not a date as a problem, and ingests nobody for it', async () => {
    const res = await f.app.inject({
      method: 'POST', url, headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E7', _action: 'terminate', endDate: 20261231 }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: 0, problems: [{ line: 1, key: 'E7', message: expect.stringContaining('"20261231"') }] });
  });
});
