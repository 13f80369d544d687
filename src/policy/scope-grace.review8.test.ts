import { describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { useEngineDir } from '../../test/support/engine-dir.js';
import type { Identity } from '../core/types.js';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, person, testConfig, testTarget } from './test-config.js';

const DAY = 86_400_000;

/** Engine-level: HR file → SQLite store → memory target, time driven by a clock. */
describe('review 8: scope removal follows the leaver timing, whatever disabled the account before', () => {
  const dir = useEngineDir('scope-grace');
  const clock = { now: new Date('2026-01-01T09:00:00Z') };
  const at = (days: number) => { clock.now = new Date(Date.parse('2026-01-01T09:00:00Z') + days * DAY); };
  const header = 'employeeId,givenName,familyName,department,status';
  const yaml = (leaver = '{ disable: immediately, delete: after 30d }') => `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: app
    type: memory
    scope: identity.department == "Engineering"
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii(), department: identity.department }
    leaver: ${leaver}
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0, window: none }
`;
  const rows = (...people: string[]) => [header, 'E0,Filler,Person,Engineering,active', ...people].join('\n') + '\n';
  async function sync(hr: string) {
    dir.write('hr.csv', hr);
    const engine = await opened;
    const result = await engine.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    return result.plan.changes.filter((c) => c.identity === 'E1').map((c) => c.action);
  }
  const account = () => memoryTargets.get('app')?.snapshot('e1');
  let opened: ReturnType<typeof dir.open>;
  const open = (leaver?: string) => {
    at(0);
    opened = dir.open(yaml(leaver), { files: { 'hr.csv': rows() }, now: () => clock.now });
    return opened;
  };

  it('on leave past the grace, then out of scope: kept disabled for the grace from leaving scope, then deleted', async () => {
    await open();
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    expect(account()?.enabled).toBe(true);
    at(1);
    expect(await sync(rows('E1,Ada,Lovelace,Engineering,leave'))).toContain('disable');
    at(41);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,leave'))).not.toContain('delete');
    expect(account()).toMatchObject({ enabled: false });
    at(70);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,leave'))).toEqual([]);
    expect(account()).toBeDefined();
    at(72);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,leave'))).toEqual(['delete']);
    expect(account()).toBeUndefined();
  });

  it('an active person who leaves scope is disabled at once and deleted 30 days after, not sooner', async () => {
    await open();
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    at(100);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual(['disable']);
    at(129);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual([]);
    expect(account()).toMatchObject({ enabled: false });
    at(131);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual(['delete']);
  });

  it('back from a long leave into another department: the grace runs from the return, not from the leave', async () => {
    await open();
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    at(1);
    await sync(rows('E1,Ada,Lovelace,Engineering,leave'));
    at(200);
    // Nothing to do on the target: the plan records that the account left scope (an update that writes nothing).
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual(['update']);
    expect(account()).toMatchObject({ enabled: false });
    at(231);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual(['delete']);
  });

  it('leaver.disable: never: the account out of scope stays enabled, and is deleted 30 days after leaving scope', async () => {
    await open('{ disable: never, delete: after 30d }');
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    at(100);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual(['update']);
    expect(account()).toMatchObject({ enabled: true });
    at(129);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual([]);
    at(131);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,active'))).toEqual(['delete']);
  });

  it('leaver.disable: never: a leaver who also left scope is deleted when the termination says, not kept for ever', async () => {
    await open('{ disable: never, delete: after 30d }');
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    at(100);
    expect(await sync(rows('E1,Ada,Lovelace,,terminated'))).toEqual([]);
    at(131);
    expect(await sync(rows('E1,Ada,Lovelace,,terminated'))).toEqual(['delete']);
  });

  it('leaver.delete: never: an account out of scope is kept disabled for ever', async () => {
    await open('{ disable: immediately, delete: never }');
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    at(1);
    await sync(rows('E1,Ada,Lovelace,Engineering,leave'));
    at(41);
    await sync(rows('E1,Ada,Lovelace,Sales,leave'));
    at(1000);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,leave'))).toEqual([]);
    expect(account()).toMatchObject({ enabled: false });
  });

  it('on leave past the grace, then terminated with the department emptied: deleted 30 days after the end, not at once', async () => {
    await open();
    await sync(rows('E1,Ada,Lovelace,Engineering,active'));
    at(1);
    await sync(rows('E1,Ada,Lovelace,Engineering,leave'));
    at(60);
    expect(await sync(rows('E1,Ada,Lovelace,,terminated'))).toEqual([]);
    expect(account()).toMatchObject({ enabled: false });
    at(89);
    expect(await sync(rows('E1,Ada,Lovelace,,terminated'))).toEqual([]);
    at(91);
    expect(await sync(rows('E1,Ada,Lovelace,,terminated'))).toEqual(['delete']);
  });
});

describe('review 8: scope removal, plain objects', () => {
  const engineers = testConfig({ targets: [testTarget({ scope: 'identity.department == "Engineering"' })] });
  const moved = (overrides: Partial<Identity> = {}) => identity('e1', { attributes: person('e1', { department: 'Sales' }), ...overrides });
  const onLeaveSince = link('e1', { enabled: false, disabledAt: '2026-01-01T00:00:00.000Z' });

  it('an account disabled by a leave before the move: the grace runs from when Roster recorded it out of scope', () => {
    const recent = moved({ state: 'leave', updatedAt: '2026-03-01T00:00:00.000Z' });
    const recorded = { ...onLeaveSince, outOfScopeSince: '2026-03-01T00:00:00.000Z' };
    expect(desiredOne(recent, { links: [recorded] }, engineers)).toMatchObject({ present: true, enabled: false, reasons: ['scope.removed', 'leaver.revoke_all'] });
    expect(desiredOne(recent, { links: [recorded], now: new Date('2026-03-31T00:00:00.000Z') }, engineers))
      .toMatchObject({ present: false, reasons: ['leaver.grace_expired', 'scope.removed'] });
  });

  it('a leaver out of scope keeps the lifecycle decision and its clock (end date or disable, the later)', () => {
    const left = moved({ state: 'terminated', endAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z' });
    const d = desiredOne(left, { links: [onLeaveSince] }, engineers);
    expect(d).toMatchObject({ present: true, enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] });
    expect(d.explanations.find((x) => x.subject === 'account')).toMatchObject({ rule: 'scope:app' });
    expect(d.explanations.find((x) => x.subject === 'account')?.detail).toContain('no longer in scope');
  });

  it('leaver.disable: never keeps an enabled account out of scope enabled until the grace from the change is over', () => {
    const keep = testConfig({ targets: [testTarget({ scope: 'identity.department == "Engineering"', leaver: { disable: 'never', deleteAfterMs: 30 * 86_400_000 } })] });
    const recent = moved({ updatedAt: '2026-03-01T00:00:00.000Z' });
    const enabled = link('e1', { entitlements: ['users'], outOfScopeSince: '2026-03-01T00:00:00.000Z' });
    expect(desiredOne(recent, { links: [enabled] }, keep)).toMatchObject({ present: true, enabled: true, entitlements: [], reasons: ['scope.removed', 'leaver.revoke_all'] });
    expect(desiredOne(recent, { links: [enabled], now: new Date('2026-03-31T00:00:00.000Z') }, keep)).toMatchObject({ present: false });
  });

  it('leave alone never deletes, however long it lasts', () => {
    const away = identity('e1', { state: 'leave', updatedAt: '2024-06-01T00:00:00.000Z' });
    const old = link('e1', { enabled: false, disabledAt: '2024-06-01T00:00:00.000Z' });
    expect(desiredOne(away, { links: [old] }, engineers)).toMatchObject({ present: true, enabled: false, reasons: ['leave.suspended', 'leaver.revoke_all'] });
  });

  it('a change to the record while the account waits out of scope does not start its grace again', () => {
    const scopeDisabled = link('e1', { enabled: false, disabledAt: '2026-01-01T00:00:00.000Z', outOfScopeSince: '2026-01-01T00:00:00.000Z' });
    expect(desiredOne(moved({ updatedAt: '2025-12-31T00:00:00.000Z' }), { links: [scopeDisabled] }, engineers).present).toBe(false);
    expect(desiredOne(moved({ updatedAt: '2026-03-01T00:00:00.000Z' }), { links: [scopeDisabled] }, engineers).present).toBe(false);
  });
});
