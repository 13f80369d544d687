import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { silentLogger } from '../core/log.js';
import type { Engine, SyncResult } from './types.js';

const HEADER = 'employeeId,givenName,email,startDate,managerId\n';
const row = (key: string, manager = '', start = '2024-01-15') => `${key},${key},${key.toLowerCase()}@example.com,${start},${manager}\n`;

const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 100%, fields: { manager: managerId } }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.email
      boss: 'has(manager.email) ? manager.email : ""'
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`;

const actions = (sync: SyncResult) => sync.plan.changes.map((c) => `${c.action} ${c.identity}`);

describe('a respelled key seen elsewhere in the batch (review13b)', () => {
  const dir = useEngineDir('review13b-respelled');

  async function synced(csv: string): Promise<Engine> {
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv }, log: silentLogger });
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.result?.failed).toBe(0);
    return engine;
  }

  it('E5 written e5 on a row turned down (a bad date): E5 is not gone, no disable', async () => {
    const engine = await synced(HEADER + row('E1') + row('E2') + row('E5'));
    dir.write('employees.csv', HEADER + row('E1') + row('E2') + row('e5', '', '15/01/2024'));
    const sync = await engine.sync({ actor: 'test' });
    // Was: the problem row named "e5", which no stored identity is: E5 was marked missing and its account disabled.
    expect(sync.ingests[0]).toMatchObject({ missing: 0 });
    expect(actions(sync)).toEqual([]);
    expect(await engine.store.identities.get('E5')).toMatchObject({ state: 'active' });
    expect((await engine.store.identities.get('E5'))?.missingSince).toBeUndefined();
  });

  it('a manager respelled E5 -> e5, and the reports naming e5: the reports keep their manager', async () => {
    const engine = await synced(HEADER + row('E5') + row('E6', 'E5') + row('E7', 'E5'));
    const before = await engine.store.accounts.listByIdentity('E6');
    expect(before[0]?.attributes.boss).toBe('e5@example.com');
    dir.write('employees.csv', HEADER + row('e5') + row('E6', 'e5') + row('E7', 'e5'));
    const sync = await engine.sync({ actor: 'test' });
    // Was: the manager lookup is exact, "e5" names nobody: the plan cleared `boss` on every report.
    expect(actions(sync)).toEqual([]);
    const plan = await engine.plan({ identity: 'E6' });
    expect(plan.changes).toEqual([]);
    const explained = await engine.explain('E6');
    expect(JSON.stringify(explained)).not.toMatch(/"boss":""/);
  });
});
