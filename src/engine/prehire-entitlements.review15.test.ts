import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { explainText } from '../cli/commands/explain.js';
import type { CliContext } from '../cli/context.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';

/**
 * Review 15: with lifecycle.prehireEntitlements: false a future hire's account
 * is prepared disabled without groups, `roster explain` says why, and the
 * start-day plan enables it and grants them.
 */
const yaml = `
store: sqlite:./roster.db
lifecycle: { prehireLeadDays: 7, prehireEntitlements: false }
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status, startDate: startDate, endDate: endDate } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.givenName.lowerAscii(), department: identity.department }
roles:
  - { id: staff, when: "true", grants: { app: [staff] } }
  - { id: eng, when: identity.department == "Eng", grants: { app: [engineers] } }
`;
const csv = 'employeeId,givenName,department,status,startDate,endDate\nE1,Ada,Eng,active,2026-03-20,\n';
const account = () => {
  const held = memoryTargets.get('app')!.accounts.get('ada');
  return held === undefined ? undefined : { enabled: held.enabled, department: held.attributes['department'], entitlements: [...held.entitlements].sort() };
};
const plainText = (s: string) => s;
const ctx = { style: { bold: plainText, dim: plainText, green: plainText, red: plainText } } as unknown as CliContext;

describe('lifecycle.prehireEntitlements: false across the start date (review 15)', () => {
  const dir = useEngineDir('r15-prehire');

  it('prepared disabled without groups, explained, then enabled with its groups on the start day', async () => {
    let now = new Date('2026-03-15T09:00:00Z');
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv }, log: silentLogger, now: () => now });
    const before = await engine.sync({ actor: 't' });
    expect(before.plan.changes.map((c) => [c.action, c.reasons])).toEqual([['create', ['joiner.prehire', 'joiner.entitlements_at_start']]]);
    expect(account()).toEqual({ enabled: false, department: 'Eng', entitlements: [] });
    const explained = explainText(await engine.explain('E1'), ctx);
    expect(explained).toContain('no entitlements until the start day (lifecycle.prehireEntitlements: false)');
    expect(explained).toContain('without entitlements until then (lifecycle.prehireEntitlements: false)');

    now = new Date('2026-03-20T09:00:00Z');
    const start = await engine.sync({ actor: 't' });
    expect(start.plan.changes.map((c) => [c.action, c.after?.entitlement ?? null, c.reasons])).toEqual([
      ['enable', null, ['joiner']],
      ['grant', 'engineers', ['joiner', 'role.added']],
      ['grant', 'staff', ['joiner', 'role.added']],
    ]);
    expect(start.result).toMatchObject({ failed: 0 });
    expect(account()).toEqual({ enabled: true, department: 'Eng', entitlements: ['engineers', 'staff'] });
  });
});
