import { describe, expect, it } from 'vitest';
import type { Identity } from '../core/types.js';
import { person, testLifecycle, testSource } from '../policy/test-config.js';
import { parsePushBody } from '../sources/push.js';
import { mergeBatch } from './merge.js';
import { merge } from './merge-fixtures.js';

const source = testSource({ id: 'hr', type: 'push', complete: false });
const T0 = new Date('2026-11-01T08:00:00.000Z');
const T1 = new Date('2026-11-27T10:00:00.000Z');
const T2 = new Date('2026-11-28T10:00:00.000Z');

/** Push `records` at `now` (the route's clock and the engine's are the same here) over `stored`. */
function push(records: readonly Record<string, unknown>[], stored: readonly Identity[], now: Date, lifecycle = testLifecycle()) {
  const batch = parsePushBody({ records }, {
    sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'], now, statusField: 'status', endDateField: 'endDate',
    terminatedStatus: lifecycle.terminatedStatuses[0],
  });
  return mergeBatch({ batch, existing: new Map(stored.map((i) => [i.id, i])), source, lifecycle, now });
}

describe('HR push: a terminate delivered twice (review6)', () => {
  const hired = merge([person('E7')], { now: T0, source }).upserts[0]!;

  it('keeps the end date of the first delivery: the retry changes nothing', () => {
    const first = push([{ _action: 'terminate', employeeId: 'E7' }], [hired], T1);
    const terminated = first.upserts[0]!;
    expect(terminated).toMatchObject({ state: 'terminated', endAt: T1.toISOString() });
    expect(first.events.map((e) => e.kind)).toEqual(['leaver']);

    const again = push([{ _action: 'terminate', employeeId: 'E7' }], [terminated], T2);
    expect(again.upserts).toEqual([]);
    expect(again.unchanged).toBe(1);
  });

  it('keeps an end date that had already passed when the terminate without a date arrives', () => {
    const ended = push([{ employeeId: 'E7', endDate: '2026-11-20' }], [hired], T1).upserts[0]!;
    expect(ended).toMatchObject({ state: 'terminated', endAt: '2026-11-21T00:00:00.000Z' });
    const result = push([{ _action: 'terminate', employeeId: 'E7' }], [ended], T2);
    expect(result.upserts.map((i) => [i.state, i.endAt, i.attributes.status])).toEqual([['terminated', '2026-11-21T00:00:00.000Z', 'terminated']]);
  });

  it('still moves a future end date to now, and honours a later explicit end date as a correction', () => {
    const leaving = push([{ employeeId: 'E7', endDate: '2026-12-31' }], [hired], T1).upserts[0]!;
    expect(leaving.state).toBe('active');
    const now = push([{ _action: 'terminate', employeeId: 'E7' }], [leaving], T1).upserts[0]!;
    expect(now).toMatchObject({ state: 'terminated', endAt: T1.toISOString() });
    const corrected = push([{ _action: 'terminate', employeeId: 'E7', endDate: '2026-11-27T12:00:00Z' }], [now], T2).upserts[0]!;
    expect(corrected).toMatchObject({ state: 'terminated', endAt: '2026-11-27T12:00:00.000Z' });
  });
});

describe('HR push: terminate with the organisation\'s own terminated statuses (review6)', () => {
  it('terminates a future hire when "terminated" is not one of lifecycle.terminatedStatuses', () => {
    const lifecycle = testLifecycle({ terminatedStatuses: ['inactive', 'leaver'] });
    const hire = merge([person('E8', { startDate: '2026-12-14' })], { now: T0, source, lifecycle }).upserts[0]!;
    expect(hire.state).toBe('prehire');
    const result = push([{ _action: 'terminate', employeeId: 'E8' }], [hire], T1, lifecycle);
    expect(result.upserts.map((i) => [i.state, i.attributes.status])).toEqual([['terminated', 'inactive']]);
    expect(result.events.map((e) => [e.kind, e.reasons])).toEqual([['leaver', ['leaver.terminated']]]);
  });
});
