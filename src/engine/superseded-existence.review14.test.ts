import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';

/**
 * Review 14, second pass (target quarantined, so plans' changes wait): a
 * terminated joiner whose create still waited got an enabled account with
 * the department's groups once the target was released, and kept it until
 * a sync after that; a leaver rehired while the grace-expired delete waited
 * got failed enables and grants against the deleted account, and no account.
 */
const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status, startDate: startDate, endDate: endDate } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.givenName.lowerAscii(), department: identity.department }
    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { maxAttempts: 1 }
roles:
  - id: eng
    when: identity.department == "Eng"
    grants: { app: [engineers] }
`;
const ZED = ['E0', 'Zed', 'Ops', 'active', '2020-01-01', ''];
const csv = (...rows: string[][]) => `employeeId,givenName,department,status,startDate,endDate\n${[ZED, ...rows].map((r) => r.join(',')).join('\n')}\n`;
const accounts = () => [...memoryTargets.get('app')!.accounts].sort(([a], [b]) => a.localeCompare(b)).map(([id, a]) => ({ id, enabled: a.enabled, entitlements: [...a.entitlements].sort() }));

describe('earlier plans\' waiting create or delete, target quarantined (review 14)', () => {
  const dir = useEngineDir('r14-existence');

  it('a joiner terminated before the create ran has no account once the target is released', async () => {
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv() }, log: silentLogger });
    await engine.sync({ actor: 't' });
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'active', '2020-01-01', '']));
    expect((await engine.sync({ actor: 't' })).plan.summary).toEqual({ create: 1, grant: 1 });
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'terminated', '2020-01-01', '2026-01-01']));
    expect((await engine.sync({ actor: 't' })).plan.summary).toEqual({ delete: 1 });
    await engine.releaseQuarantine('app', 'ops');
    const after = await engine.sync({ actor: 't' });
    expect(after.result).toMatchObject({ failed: 0 });
    expect(accounts()).toEqual([{ id: 'zed', enabled: true, entitlements: [] }]);
    expect(await engine.store.accounts.get('app', 'E1')).toBeUndefined();
  });

  it('the delete that follows a waiting create that failed has nothing to delete: done, not failed', async () => {
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv() }, log: silentLogger });
    await engine.sync({ actor: 't' });
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'active', '2020-01-01', '']));
    await engine.sync({ actor: 't' });
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'terminated', '2020-01-01', '2026-01-01']));
    await engine.sync({ actor: 't' });
    memoryTargets.get('app')!.rejectNext(1, { operations: ['create'] });
    await engine.releaseQuarantine('app', 'ops');
    await engine.sync({ actor: 't' });
    const stats = await engine.store.queue.stats();
    // The create (rejected) and its grant (no account) fail; the delete is done.
    expect(stats).toMatchObject({ pending: 0, running: 0, failed: 2 });
    const deletes = (await engine.store.audit.list({ kind: 'change.applied' })).filter((e) => (e.data as { action?: string }).action === 'delete');
    expect(deletes.map((e) => (e.data as { gone?: boolean }).gone)).toEqual([true]);
    expect(accounts()).toEqual([{ id: 'zed', enabled: true, entitlements: [] }]);
  });

  it('a leaver rehired while the grace-expired delete waits keeps the account: the delete is withdrawn, no failed job', async () => {
    let now = new Date('2026-01-10T00:00:00Z');
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv(['E1', 'Ada', 'Eng', 'active', '2020-01-01', '']) }, log: silentLogger, now: () => now });
    await engine.sync({ actor: 't' });
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'terminated', '2020-01-01', '2026-01-09']));
    await engine.sync({ actor: 't' });
    now = new Date('2026-03-01T00:00:00Z');
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    expect((await engine.sync({ actor: 't' })).plan.summary).toEqual({ delete: 1 });
    dir.write('employees.csv', csv(['E1', 'Ada', 'Eng', 'active', '2026-02-20', '']));
    // Review 22: the waiting delete is withdrawn (cancelled, never run), and the account it would have removed enabled again.
    const rehired = (await engine.sync({ actor: 't' })).plan;
    expect(rehired.summary).toEqual({ enable: 1, grant: 1 });
    expect(rehired.withdrawn?.map((w) => w.change.action)).toEqual(['delete']);
    await engine.releaseQuarantine('app', 'ops');
    await engine.sync({ actor: 't' });
    expect(await engine.store.queue.stats()).toMatchObject({ pending: 0, failed: 0, cancelled: 1 });
    expect(accounts()).toEqual([{ id: 'ada', enabled: true, entitlements: ['engineers'] }, { id: 'zed', enabled: true, entitlements: [] }]);
    expect(await engine.store.accounts.get('app', 'E1')).toMatchObject({ accountId: 'ada', enabled: true, entitlements: ['engineers'] });
  });
});
