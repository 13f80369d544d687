import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';

/**
 * Review 15: joiners whose creates waited in a quarantined target and who were
 * terminated meanwhile got compensating deletes (queued.superseded) that
 * counted toward maxDeletes, so the plan was held although it deletes no
 * account the target holds. They are not counted, and the plan says so.
 */
const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status, startDate: startDate, endDate: endDate } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.givenName.lowerAscii() }
    leaver: { disable: immediately, delete: immediately }
    safety: { maxDeletes: 1, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { maxAttempts: 1 }
roles:
  - { id: staff, when: "true", grants: { app: [staff] } }
`;
const ZED = ['E0', 'Zed', 'active', '2020-01-01', ''];
const csv = (...rows: string[][]) => `employeeId,givenName,status,startDate,endDate\n${[ZED, ...rows].map((r) => r.join(',')).join('\n')}\n`;
const people = (status: string, end: string) => ['Ada', 'Bob', 'Cy'].map((name, i) => [`E${i + 1}`, name, status, '2020-01-01', end]);

describe('compensating deletes of queued creates and the safety limits (review 15)', () => {
  const dir = useEngineDir('r15-safety-queued');

  it('joiners terminated while their creates wait: the deletes are not held, and the accounts never appear', async () => {
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv() }, log: silentLogger });
    await engine.sync({ actor: 't' });
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    dir.write('employees.csv', csv(...people('active', '')));
    expect((await engine.sync({ actor: 't' })).plan.summary).toEqual({ create: 3, grant: 3 });
    dir.write('employees.csv', csv(...people('terminated', '2026-01-01')));
    const gone = await engine.sync({ actor: 't' });
    expect(gone.plan.summary).toEqual({ delete: 3 });
    expect(gone.plan.holds).toEqual([]);
    expect(gone.plan.diagnostics.filter((d) => d.code === 'safety.not_counted').map((d) => d.message))
      .toEqual([expect.stringContaining('app: 3 deletes undo creates earlier plans still have queued')]);
    await engine.releaseQuarantine('app', 'ops');
    expect((await engine.sync({ actor: 't' })).result).toMatchObject({ failed: 0 });
    expect([...memoryTargets.get('app')!.accounts.keys()]).toEqual(['zed']);
  });
});
