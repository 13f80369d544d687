import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

/**
 * `managerAccount` in a target's mappings: the manager's own account in that
 * target (its id there: an objectGUID, an entryUUID, a SCIM id), so a
 * manager reference is resolved through the manager's link instead of being
 * guessed from HR attributes.
 */
describe('managerAccount', () => {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    memoryTargets.clear();
  });

  const open = async (rows: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-manager-account-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'hr.csv'), ['employeeId,givenName,familyName,managerId', ...rows].join('\n') + '\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 50%, fields: { manager: managerId } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? "<GUID=" + managerAccount.id + ">" : ""'
      managerName: 'has(managerAccount.id) ? managerAccount.attributes.username : ""'
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
  - id: other
    type: memory
    scope: identity.employeeId == "E2"
    accountKey: login
    attributes:
      login: identity.employeeId
      boss: 'has(managerAccount.id) ? managerAccount.id : "none"'
`);
    const engine = await openEngine(join(dir, 'roster.yaml'));
    engines.push(engine);
    await engine.readSource('hr', 'test');
    return { engine, dir };
  };

  it('a report joining with their manager: the plan says the reference waits, the apply sets it in a follow-up plan', async () => {
    const { engine } = await open(['E1,Ada,Lovelace,', 'E2,Grace,Hopper,E1']);
    const first = await engine.plan();
    const grace = first.changes.find((c) => c.identity === 'E2' && c.target === 'app' && c.action === 'create');
    expect(grace?.after?.attributes).toMatchObject({ manager: '', managerName: '' });
    // The manager has no account in `other` (out of its scope) and none is planned there: nothing waits in it.
    expect(first.diagnostics.filter((d) => d.code === 'reference.deferred')).toEqual([
      expect.objectContaining({ severity: 'info', target: 'app', identities: ['E2'] }),
    ]);
    const result = await engine.apply(first, { actor: 't' });
    expect(result).toMatchObject({ applied: 3, failed: 0, pending: 0, followUp: { changes: 1, applied: 1, failed: 0, pending: 0 } });

    const ada = await engine.store.accounts.get('app', 'E1');
    expect(ada).toBeDefined();
    expect((await engine.store.accounts.get('app', 'E2'))?.attributes).toMatchObject({ manager: `<GUID=${ada?.accountId}>`, managerName: 'ada' });
    expect(memoryTargets.get('app')?.accounts.get('grace')?.attributes.managerName).toBe('ada');
    expect(memoryTargets.get('other')?.accounts.get('E2')?.attributes.boss).toBe('none');
    // The follow-up is a plan of its own, saved and audited as made because of the first one.
    const followUpId = result.followUp?.planId ?? '';
    expect((await engine.store.plans.get(followUpId))?.changes.map((c) => `${c.identity}:${c.target}:${c.action}`)).toEqual(['E2:app:update']);
    const created = (await engine.store.audit.list({ kind: 'plan.created' })).map((e) => e.data as { planId: string; followUpOf?: string });
    expect(created).toContainEqual(expect.objectContaining({ planId: followUpId, followUpOf: first.id }));
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('someone who is their own manager (a CEO in many HR exports) settles in the same apply too', async () => {
    const { engine } = await open(['E1,Ada,Lovelace,E1', 'E2,Grace,Hopper,E1']);
    const first = await engine.plan();
    expect(first.diagnostics.find((d) => d.code === 'reference.deferred')?.identities).toEqual(['E1', 'E2']);
    expect((await engine.apply(first, { actor: 't' })).followUp).toMatchObject({ changes: 2, applied: 2 });
    const ada = await engine.store.accounts.get('app', 'E1');
    expect(ada?.attributes.manager).toBe(`<GUID=${ada?.accountId}>`);
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('a report joining after their manager: one identity planned alone reads the manager\'s link, nothing waits', async () => {
    const { engine, dir } = await open(['E1,Ada,Lovelace,']);
    await engine.apply(await engine.plan(), { actor: 't' });
    writeFileSync(join(dir, 'hr.csv'), ['employeeId,givenName,familyName,managerId', 'E1,Ada,Lovelace,', 'E2,Grace,Hopper,E1'].join('\n') + '\n');
    await engine.readSource('hr', 'test');
    const ada = await engine.store.accounts.get('app', 'E1');
    const alone = await engine.plan({ identity: 'E2' });
    expect(alone.changes.find((c) => c.target === 'app' && c.action === 'create')?.after?.attributes)
      .toMatchObject({ manager: `<GUID=${ada?.accountId}>`, managerName: 'ada' });
    expect(alone.diagnostics.some((d) => d.code === 'reference.deferred')).toBe(false);
    expect((await engine.apply(alone, { actor: 't' })).followUp).toBeUndefined();
  });

  it('a create that fails (the manager\'s or the report\'s): no follow-up; the next apply sets the reference once both accounts exist', async () => {
    const { engine } = await open(['E1,Ada,Lovelace,', 'E2,Grace,Hopper,E1']);
    const first = await engine.plan();
    const target = memoryTargets.get('app');
    target?.rejectNext(1, { operations: ['create'] });
    const result = await engine.apply(first, { actor: 't' });
    // Which create met the fault depends on the order they ran in. Either way nothing is left for a follow-up to set: without
    // Ada's account Grace's reference is still empty; without Grace's account there is nothing to update yet.
    expect(result.failed).toBe(1);
    expect(result.followUp).toBeUndefined();
    // The next plan creates the missing account: Grace's with the reference, or Ada's, after which a follow-up sets it.
    const second = await engine.plan();
    expect((await engine.apply(second, { actor: 't' })).failed).toBe(0);
    const ada = await engine.store.accounts.get('app', 'E1');
    expect((await engine.store.accounts.get('app', 'E2'))?.attributes.manager).toBe(`<GUID=${ada?.accountId}>`);
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('plans without a managerAccount mapping never read managers\' links', async () => {
    const { engine } = await open(['E1,Ada,Lovelace,']);
    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => c.target)).toEqual(['app']);
  });
});
