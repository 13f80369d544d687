import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';

/**
 * Review 14: E1's create (username ada) waits in a quarantined target; HR
 * renames E1 (Adx) and hires another Ada (A1) before it runs. The name ada
 * looked free (no link holds it), so A1's create asked for ada too: once
 * released, E1's create made ada, A1's create adopted it (the connector's
 * create takes the account holding the key), and E1's second create renamed
 * it to adx: A1 linked to E1's account, under a name no account has.
 */
const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: 'unique([identity.givenName.lowerAscii(), identity.givenName.lowerAscii() + "2"])', department: identity.department }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { maxAttempts: 1 }
`;
const csv = (...rows: string[][]) => `employeeId,givenName,department,status\n${[['E0', 'Zed', 'Ops', 'active'], ...rows].map((r) => r.join(',')).join('\n')}\n`;

describe('a name a waiting create is about to give someone (review 14)', () => {
  const dir = useEngineDir('r14-queued-key');

  it.each([['a full plan', undefined], ['a plan of the new person alone', 'A1']] as const)('is not free for another person\'s new account: %s', async (_, identity) => {
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv() }, log: silentLogger });
    await engine.sync({ actor: 't' });
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'active']));
    await engine.sync({ actor: 't' });
    dir.write('employees.csv', csv(['A1', 'Ada', 'Sales', 'active'], ['E1', 'Adx', 'Eng', 'active']));
    const next = await engine.sync({ actor: 't', ...(identity === undefined ? {} : { identity }) });
    const creates = next.plan.changes.filter((c) => c.action === 'create').map((c) => [c.identity, c.after?.attributes?.username]);
    expect(creates).toContainEqual(['A1', 'ada2']);
    await engine.releaseQuarantine('app', 'ops');
    await engine.sync({ actor: 't' });
    expect([...memoryTargets.get('app')!.accounts.keys()].sort()).toEqual(['ada2', 'adx', 'zed']);
    const a1 = await engine.store.accounts.get('app', 'A1');
    const e1 = await engine.store.accounts.get('app', 'E1');
    expect(a1?.accountId).toBe('ada2');
    expect(e1?.accountId).not.toBe(a1?.accountId);
  });
});
