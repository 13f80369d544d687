import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { explainText } from '../cli/commands/explain.js';
import type { CliContext } from '../cli/context.js';
import { createStyle } from '../cli/format.js';
import { silentLogger } from '../core/log.js';
import type { LifecycleEvent } from '../core/types.js';
import { effectiveTimeline } from './timeline.js';

/**
 * Review 21: `roster explain`'s timeline is in the order the events take
 * effect (ties in recorded order), not the order they were recorded, and a
 * joiner read after its start date is shown at that date, not at the read.
 * --json keeps every field of each event and adds `effectiveDate`.
 */
const ctx = { style: createStyle(false, {}) } as CliContext;

const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status, startDate: startDate, endDate: endDate } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii() }
`;
const csv = (department: string) => `employeeId,department,status,startDate,endDate\nE1,${department},active,2026-01-05,2026-06-30\n`;

describe('review21: explain\'s timeline by effective time', () => {
  const dir = useEngineDir('r21-timeline');

  it('joiner at its start date, the mover recorded later before the future-dated leaver recorded with the hire (it takes effect the day after the end date)', async () => {
    let now = new Date('2026-03-02T09:00:00Z');
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv('Sales') }, log: silentLogger, now: () => now });
    await engine.readSource('hr', 't');
    now = new Date('2026-03-10T09:00:00Z');
    dir.write('employees.csv', csv('Finance'));
    await engine.readSource('hr', 't');

    // As recorded: the joiner and the future-dated leaver at the first read, the mover at the second.
    expect((await engine.store.identities.events('E1')).map((e) => e.kind)).toEqual(['joiner', 'leaver', 'mover']);

    const explain = await engine.explain('E1');
    expect(explain.timeline.map((e) => [e.kind, e.effectiveAt, e.recordedAt, e.effectiveDate])).toEqual([
      ['joiner', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z', '2026-01-05T00:00:00.000Z'],
      ['mover', '2026-03-10T09:00:00.000Z', '2026-03-10T09:00:00.000Z', undefined],
      ['leaver', '2026-07-01T00:00:00.000Z', '2026-03-02T09:00:00.000Z', undefined],
    ]);
    // --json: the stored fields are all still there, reasons and changes included.
    expect(explain.timeline[1]).toMatchObject({ identityId: 'E1', reasons: ['mover.department'], changes: { department: { before: 'Sales', after: 'Finance' } } });

    const text = explainText(explain, ctx);
    const lines = text.split('\n');
    const timeline = lines.slice(lines.indexOf('Timeline') + 1, lines.indexOf('Timeline') + 4);
    expect(timeline).toEqual([
      '  2026-01-05T00:00:00.000Z  joiner  joiner  (recorded 2026-03-02T09:00:00.000Z)',
      '  2026-03-10T09:00:00.000Z  mover department: Sales → Finance  mover.department',
      '  2026-07-01T00:00:00.000Z  leaver  leaver.future_dated  (recorded 2026-03-02T09:00:00.000Z)',
    ]);
  });
});

describe('review21: effectiveTimeline', () => {
  const event = (kind: LifecycleEvent['kind'], effectiveAt: string, recordedAt: string, reason: string): LifecycleEvent =>
    ({ kind, identityId: 'E1', effectiveAt, recordedAt, reasons: [reason] });

  it('keeps the recorded order of events taking effect at the same time; a future-dated joiner keeps its own date', () => {
    const events = [
      event('joiner', '2026-04-01T00:00:00.000Z', '2026-03-01T09:00:00.000Z', 'joiner.future_dated'),
      event('mover', '2026-03-05T09:00:00.000Z', '2026-03-05T09:00:00.000Z', 'mover.employmentType'),
      event('conversion', '2026-03-05T09:00:00.000Z', '2026-03-05T09:00:00.000Z', 'conversion.contractor_to_employee'),
    ];
    const timeline = effectiveTimeline(events, { startAt: '2026-04-01T00:00:00.000Z' });
    expect(timeline.map((e) => [e.reasons[0], e.effectiveDate])).toEqual([
      ['mover.employmentType', undefined], ['conversion.contractor_to_employee', undefined], ['joiner.future_dated', undefined],
    ]);
  });
});
