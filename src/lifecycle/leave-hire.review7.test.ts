import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { person } from '../policy/test-config.js';
import { merge } from './merge-fixtures.js';
import { effectiveState } from './state.js';

const BEFORE = new Date('2026-11-27T09:00:00.000Z');
const START = '2026-12-01';
const AFTER = new Date('2026-12-02T09:00:00.000Z');

/**
 * A future hire whose row says "leave" (parental leave from day one, say) is
 * a prehire until the start, then on leave: the row does not change when the
 * start comes, so the state must follow from what was stored (as a start or
 * an end date reached does: effectiveState, evaluated by the plan).
 */
describe('a future hire on leave, once the start passes (review7)', () => {
  it('is prehire before the start and on leave after it, with no new row', () => {
    const result = merge([person('E1', { startDate: START, status: 'leave' })], { now: BEFORE });
    const stored = result.upserts[0]!;
    expect(effectiveState(stored, BEFORE)).toBe('prehire');
    expect(effectiveState(stored, AFTER)).toBe('leave');
    // The joiner is future dated; the leave starts with the employment, not now.
    expect(result.events.map((e) => [e.kind, e.reasons, e.effectiveAt])).toEqual([
      ['joiner', ['joiner.future_dated'], '2026-12-01T00:00:00.000Z'],
      ['leave.start', ['leave.start'], '2026-12-01T00:00:00.000Z'],
    ]);
  });

  it('a future hire not on leave is still active after the start, and one whose leave is lifted is too', () => {
    const hire = merge([person('E1', { startDate: START })], { now: BEFORE }).upserts[0]!;
    expect(effectiveState(hire, AFTER)).toBe('active');
    const onLeave = merge([person('E1', { startDate: START, status: 'leave' })], { now: BEFORE, existing: [hire] });
    expect(onLeave.events.map((e) => [e.kind, e.effectiveAt])).toEqual([['leave.start', '2026-12-01T00:00:00.000Z']]);
    const back = merge([person('E1', { startDate: START, status: 'active' })], { now: BEFORE, existing: [onLeave.upserts[0]!] });
    expect(effectiveState(back.upserts[0]!, AFTER)).toBe('active');
    // Nothing happened yet: no leave.end before the leave began.
    expect(back.events).toEqual([]);
  });

  it('an identity stored as prehire before this fix is derived again by the next read of the unchanged row', () => {
    const row = person('E1', { startDate: START, status: 'leave' });
    const stored = { ...merge([row], { now: BEFORE }).upserts[0]!, state: 'prehire' as const };
    const before = merge([row], { now: BEFORE, existing: [stored] });
    expect(before.upserts.map((i) => i.state)).toEqual(['leave']);
    expect(before.events.map((e) => [e.kind, e.effectiveAt])).toEqual([['leave.start', '2026-12-01T00:00:00.000Z']]);
    const after = merge([row], { now: AFTER, existing: [stored] });
    expect(after.upserts.map((i) => i.state)).toEqual(['leave']);
    expect(after.events.map((e) => [e.kind, e.effectiveAt])).toEqual([['leave.start', AFTER.toISOString()]]);
    // Stored right, the same row is unchanged.
    expect(merge([row], { now: AFTER, existing: [after.upserts[0]!] })).toMatchObject({ unchanged: 1, upserts: [] });
  });

  it('moving the start of a future hire on leave is a reschedule, not a leave starting now', () => {
    const first = merge([person('E1', { startDate: START, status: 'leave' })], { now: BEFORE }).upserts[0]!;
    const moved = merge([person('E1', { startDate: '2026-12-08', status: 'leave' })], { now: BEFORE, existing: [first] });
    expect(moved.events.map((e) => [e.kind, e.reasons, e.effectiveAt])).toEqual([
      ['joiner', ['joiner.rescheduled'], '2026-12-08T00:00:00.000Z'],
    ]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('a future hire on leave, planned after the start (review7, %s)', (dialect) => {
  const workspace = useEngineDir('review7');

  it('has the account of someone on leave (disabled), not an enabled one, though the HR row never changed', async () => {
    const store = await workspace.store(dialect, 'roster_r7_leave');
    let clock = BEFORE;
    const engine = await workspace.open(`
store: ${store}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
    safety: { minAccounts: 0 }
`, { now: () => clock, files: { 'employees.csv': `employeeId,givenName,status,startDate\nE1,Ada,active,2020-01-01\nE2,Grace,leave,${START}\n` } });
    await engine.sync({ actor: 't' });
    expect((await engine.explain('E2')).effectiveState).toBe('prehire');
    clock = AFTER;
    const sync = await engine.sync({ actor: 't' });
    expect(sync.ingests[0]).toMatchObject({ changed: 0, unchanged: 2 });
    expect((await engine.explain('E2')).effectiveState).toBe('leave');
    const link = await engine.store.accounts.get('app', 'E2');
    expect(link).toMatchObject({ enabled: false });
    expect(sync.plan.changes.filter((c) => c.identity === 'E2').flatMap((c) => c.reasons)).not.toContain('joiner');
  });
});
