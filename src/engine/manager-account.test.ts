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

  it('is empty until the manager has an account in the target, then names that account', async () => {
    const { engine } = await open(['E1,Ada,Lovelace,', 'E2,Grace,Hopper,E1']);
    const first = await engine.plan();
    const grace = first.changes.find((c) => c.identity === 'E2' && c.target === 'app' && c.action === 'create');
    expect(grace?.after?.attributes).toMatchObject({ manager: '', managerName: '' });
    await engine.apply(first, { actor: 't' });

    const ada = await engine.store.accounts.get('app', 'E1');
    expect(ada).toBeDefined();
    const second = await engine.plan();
    const update = second.changes.filter((c) => c.action === 'update');
    expect(update).toHaveLength(1);
    expect(update[0]).toMatchObject({ identity: 'E2', target: 'app', after: { attributes: { manager: `<GUID=${ada?.accountId}>`, managerName: 'ada' } } });
    // The manager has no account in `other` (out of its scope): Grace's account there names nobody.
    expect(second.changes.some((c) => c.target === 'other')).toBe(false);
    expect(memoryTargets.get('other')?.accounts.get('E2')?.attributes.boss).toBe('none');

    // One identity planned alone reads its manager's links too.
    const alone = await engine.plan({ identity: 'E2' });
    expect(alone.changes.filter((c) => c.action === 'update')).toEqual([expect.objectContaining({ identity: 'E2', target: 'app' })]);
    await engine.apply(second, { actor: 't' });
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('plans without a managerAccount mapping never read managers\' links', async () => {
    const { engine } = await open(['E1,Ada,Lovelace,']);
    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => c.target)).toEqual(['app']);
  });
});
