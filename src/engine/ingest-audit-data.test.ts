import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { canonicalJson } from '../audit/chain.js';
import { verifyAudit } from '../audit/verify.js';
import type { LifecycleEvent } from '../core/types.js';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const HEADER = 'employeeId,givenName,department,employmentType,startDate,endDate,status';

const FIRST = [
  HEADER,
  'E1,Ada,Engineering,employee,2020-01-06,,active', // joiner
  'E2,Alan,Research,contractor,2026-12-14,2027-06-30,active', // future joiner, future leaver
  'E3,Grace,Navy,employee,2019-05-01,2026-11-01,active', // joined and left
  'E4,Edsger,Engineering,employee,2021-02-01,,leave', // on leave
  'E5,Barbara,Sales,contractor,2022-03-01,2027-01-31,active', // contract ends later
  'E6,Ken,Ops,employee,2020-07-01,,terminated', // terminated without a date
  'E8,Margaret,Apollo,employee,2018-04-01,,active', // gone from the second file
].join('\n');

const SECOND = [
  HEADER,
  'E1,Ada,Research,contractor,2020-01-06,,active', // mover + conversion (events with changes)
  'E2,Alan,Research,contractor,2026-12-14,2027-06-30,active', // unchanged
  'E4,Edsger,Engineering,employee,2021-02-01,,active', // back from leave
  'E5,Barbara,Sales,contractor,2022-03-01,,active', // contract end cancelled (changes)
  'E6,Ken,Ops,employee,2020-07-01,,terminated', // unchanged
  'E7,Linus,Kernel,employee,2026-11-02,,active', // joiner; E3 and E8 are gone from the file
].join('\n');

/**
 * The ingest writes an event without changes as `data: { effectiveAt }`,
 * where it used to write `{ effectiveAt, changes: undefined }` (which made
 * the audit store round-trip the value through JSON). The stored data text,
 * and so every hash of the chain, must be the very text the old shape gave.
 */
describe('ingest audit entries (data of lifecycle events)', () => {
  const workspace = useEngineDir('ingest-audit');

  it('store the canonical data the { effectiveAt, changes } shape gave, with and without changes', async () => {
    const engine = await workspace.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, complete: true, maxMissing: 10 }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
`, { files: { 'employees.csv': FIRST }, now: () => NOW });
    const events: LifecycleEvent[] = [...(await engine.readSource('hr', 'test')).events];
    workspace.write('employees.csv', SECOND);
    events.push(...(await engine.readSource('hr', 'test')).events);

    const lifecycle = (await engine.store.audit.list()).filter((entry) => entry.kind.startsWith('lifecycle.'));
    expect(lifecycle.map((entry) => [entry.kind, entry.identity])).toEqual(events.map((event) => [`lifecycle.${event.kind}`, event.identityId]));
    lifecycle.forEach((entry, index) => {
      const event = events[index]!;
      expect(canonicalJson(entry.data), `${entry.kind} ${entry.identity}`).toBe(canonicalJson({ effectiveAt: event.effectiveAt, changes: event.changes }));
      expect(entry.reasons).toEqual(event.reasons);
    });
    // Both shapes were covered: events with changes (mover, conversion) and without.
    expect(events.filter((event) => event.changes !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(events.filter((event) => event.changes === undefined).length).toBeGreaterThanOrEqual(5);
    expect(new Set(events.map((event) => event.kind))).toEqual(new Set(['joiner', 'leaver', 'leave.start', 'leave.end', 'mover', 'conversion', 'missing']));
    expect(await verifyAudit(engine.store)).toMatchObject({ ok: true });
  });
});
