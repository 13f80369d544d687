import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';

const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: 'identity.givenName.lowerAscii()', department: identity.department }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { maxAttempts: 1 }
roles:
  - { id: eng, when: 'identity.department == "Eng"', grants: { app: [engineers] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { app: [sellers] } }
`;
const csv = (...rows: string[][]) => `employeeId,givenName,department,status\n${[['E0', 'Zed', 'Ops', 'active'], ...rows].map((r) => r.join(',')).join('\n')}\n`;

describe('a rename of the account key where the key is the account id (memory, sql)', () => {
  const dir = useEngineDir('rename-key');

  it('the link follows the new name, and the same plan\'s grants and revokes reach the account', async () => {
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv(['E1', 'Ada', 'Eng', 'active']) }, log: silentLogger });
    await engine.sync({ actor: 't' });
    dir.write('employees.csv', csv(['E1', 'Adx', 'Sales', 'active']));
    const moved = await engine.sync({ actor: 't' });
    expect(moved.result?.errors ?? []).toEqual([]);
    const accounts = memoryTargets.get('app')!.accounts;
    expect([...accounts.keys()].sort()).toEqual(['adx', 'zed']);
    expect([...(accounts.get('adx')?.entitlements ?? [])]).toEqual(['sellers']);
    const link = await engine.store.accounts.get('app', 'E1');
    expect(link).toMatchObject({ accountId: 'adx', entitlements: ['sellers'] });
    expect((await engine.plan()).changes).toEqual([]);
  });
});
