import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { testSource } from '../policy/test-config.js';
import { company, merge } from './merge-fixtures.js';
import { missingLimit } from './threshold.js';

const EARLIER = new Date('2025-06-01T08:00:00.000Z');

/**
 * maxMissing over a small feed: 20% of 3 people is 0.6, which rounded down
 * would let no one leave by vanishing: every leaver of a small feed held the
 * whole source. A percentage allows at least one person, as a target's
 * safety percentages allow at least one account; two gone of three is still
 * a truncated file.
 */
describe('review 8: maxMissing on a small feed allows at least one person', () => {
  it('one of three people gone from the file is a leaver, not a truncated feed', () => {
    const { rows, identities } = company(3, EARLIER);
    const result = merge(rows.slice(1), { existing: identities, complete: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.missing).toEqual(['e0']);
  });

  it('two of three gone is still held, and the message says the floor of one', () => {
    const { rows, identities } = company(3, EARLIER);
    const result = merge(rows.slice(2), { existing: identities, complete: true });
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated' })]);
    expect(result.diagnostics[0]?.message).toContain('2 of 3 people would be gone (67%); the limit is 20% (at least 1 person)');
  });

  it('0% and a count are taken as written: one gone of three with maxMissing: 0% is held', () => {
    const { rows, identities } = company(3, EARLIER);
    const none = merge(rows.slice(1), { existing: identities, complete: true, source: testSource({ maxMissing: { percent: 0 } }) });
    expect(none.missing).toEqual([]);
    expect(none.diagnostics[0]?.message).toContain('the limit is 0%');
    const two = merge(rows.slice(2), { existing: identities, complete: true, source: testSource({ maxMissing: { count: 2 } }) });
    expect(two.missing).toEqual(['e0', 'e1']);
  });

  it('a big feed is as before: 20% of 1,003 is 200', () => {
    expect(missingLimit({ percent: 20 }, 1_003)).toBe(200);
    expect(missingLimit({ percent: 20 }, 4)).toBe(1);
    expect(missingLimit({ percent: 20 }, 10)).toBe(2);
    expect(missingLimit({ percent: 0 }, 4)).toBe(0);
    expect(missingLimit({ count: 0 }, 4)).toBe(0);
  });

  it('an empty file is truncated whatever the size of the feed', () => {
    const { identities } = company(1, EARLIER);
    const result = merge([], { existing: identities, complete: true });
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated' })]);
  });
});

describe('review 8: a leaver of a three-person feed is applied, not held (engine, SQLite store, memory target)', () => {
  const dir = useEngineDir('missing-tiny');
  const header = 'employeeId,givenName,familyName';
  it('the file losing two of three is held; the one person gone from the next is disabled', async () => {
    const engine = await dir.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii() }
`, { files: { 'hr.csv': `${header}\nE1,Ada,Lovelace\nE2,Grace,Hopper\nE3,Alan,Turing\n` } });
    expect((await engine.sync({ actor: 't' })).plan.held).toBe(false);
    dir.write('hr.csv', `${header}\nE3,Alan,Turing\n`);
    const two = await engine.sync({ actor: 't' });
    expect(two.plan.holds.map((h) => h.code)).toEqual(['safety.source_truncated']);
    expect(memoryTargets.get('app')?.snapshot('e1')?.enabled).toBe(true);
    dir.write('hr.csv', `${header}\nE2,Grace,Hopper\nE3,Alan,Turing\n`);
    const one = await engine.sync({ actor: 't' });
    expect(one.plan.holds).toEqual([]);
    expect(one.plan.changes.map((c) => [c.identity, c.action])).toEqual([['E1', 'disable']]);
    expect(memoryTargets.get('app')?.snapshot('e1')?.enabled).toBe(false);
  });
});
