import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { learnedKey } from '../reconcile/learned.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

const YAML = `
store: sqlite:./data/roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])
      email: identity.email
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 1, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 20 }
`;

/**
 * A name taken where Roster never looks (AD's domain-wide sAMAccountName, a
 * SCIM app's hidden userName): the create fails once, the target saying which
 * value was taken, and the next plan picks another name instead of failing
 * the same way on every plan.
 */
describe('a unique value taken where Roster cannot look', () => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  /** The app refuses its first create as AD does for a name held elsewhere: not retryable, the value named. */
  function refuseFirstCreate(target: MemoryTarget): void {
    const run = target.run.bind(target);
    let refused = false;
    target.run = <T>(operation: Parameters<MemoryTarget['run']>[0], body: () => T): Promise<T> => {
      if (operation !== 'create' || refused) return run(operation, body);
      refused = true;
      return Promise.reject(new RosterError('target.conflict', 'create on app: the username ada.lovelace is already taken by an account Roster does not list', {
        details: { taken: [{ attribute: 'username', value: 'ada.lovelace' }] },
      }));
    };
  }

  it('the first plan picks ada.lovelace and fails; the next picks ada.lovelace2 and the create succeeds', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-taken-'));
    writeFileSync(join(dir, 'roster.yaml'), YAML);
    writeFileSync(join(dir, 'employees.csv'), 'employeeId,givenName,familyName,email\nE1,Ada,Lovelace,ada@example.com\n');
    engine = await openEngine(join(dir, 'roster.yaml'));
    const target = memoryTargets.get('app') as MemoryTarget;
    refuseFirstCreate(target);

    const first = await engine.sync({ actor: 't' });
    expect(first.plan.changes.map((c) => [c.action, (c.after as { attributes?: { username?: string } }).attributes?.username])).toEqual([['create', 'ada.lovelace']]);
    expect(first.result).toMatchObject({ applied: 0, failed: 1 });
    expect(first.result?.errors[0]?.error).toMatch(/^target\.conflict: .*ada\.lovelace is already taken/);
    expect(await engine.store.state.get(learnedKey('app'))).toEqual({ username: [{ value: 'ada.lovelace', at: expect.any(String) }] });

    const explained = await engine.explain('E1');
    const username = explained.accounts[0]?.desired.explanations.find((e) => e.subject === 'attribute:username');
    expect(username?.detail).toMatch(/^"ada\.lovelace2": every candidate is taken, so the first one is numbered/);

    const second = await engine.sync({ actor: 't' });
    expect(second.plan.changes.map((c) => [c.action, (c.after as { attributes?: { username?: string } }).attributes?.username])).toEqual([['create', 'ada.lovelace2']]);
    expect(second.result).toMatchObject({ applied: 1, failed: 0, errors: [] });
    expect([...target.accounts.keys()]).toEqual(['ada.lovelace2']);
    expect((await engine.store.accounts.listByIdentity('E1')).map((l) => l.accountId)).toEqual(['ada.lovelace2']);

    const third = await engine.sync({ actor: 't' });
    expect(third.plan.changes).toEqual([]);
  });
});
