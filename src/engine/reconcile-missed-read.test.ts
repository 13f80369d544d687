import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import type { Connector } from '../connectors/types.js';
import { silentLogger } from '../core/log.js';
import type { TargetAccount } from '../core/types.js';
import { reconcileTarget } from './reconcile.js';

/**
 * A paged read can miss an account that is still there (keyset paging while
 * the entry is renamed or modified). Its link is asked for by id before it
 * counts as vanished; found so, the account is still its identity's, and
 * another account naming the same identity is disputed. Before, the other
 * account was matched and its link replaced the first one: the link moved
 * silently off an account that still existed, which then belonged to nobody.
 */
describe('reconcile of a read that missed a linked account', () => {
  const dir = useEngineDir('reconcile-missed-read');

  it('keeps the link of an account found by id, and disputes another account naming its identity', async () => {
    const engine = await dir.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection:
      key: username
      seed:
        - { attributes: { username: "ada", employeeNumber: "E1" }, enabled: true }
        - { attributes: { username: "bob", employeeNumber: "E2" }, enabled: true }
    accountKey: username
    attributes:
      username: identity.employeeId.lowerAscii()
      employeeNumber: identity.employeeId
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    reconcile:
      match:
        - { account: employeeNumber, identity: employeeId, normalise: exact }
      orphans: disable
`, { files: { 'hr.csv': 'employeeId,givenName,familyName\nE1,Ada,L\nE2,Bob,M\n' }, log: silentLogger });
    await engine.readSource('hr', 't');
    expect((await engine.reconcile('app', { actor: 't' })).matched.map((m) => `${m.accountId}:${m.identity}`).sort()).toEqual(['ada:E1', 'bob:E2']);

    // Someone adds ada2 naming E1; the next read misses ada (still there, found by id).
    const all: TargetAccount[] = [
      { accountId: 'ada', attributes: { username: 'ada', employeeNumber: 'E1' }, entitlements: [], enabled: true },
      { accountId: 'ada2', attributes: { username: 'ada2', employeeNumber: 'E1' }, entitlements: [], enabled: true },
      { accountId: 'bob', attributes: { username: 'bob', employeeNumber: 'E2' }, entitlements: [], enabled: true },
    ];
    const missedAda = {
      capabilities: {},
      async *list() { yield* all.filter((a) => a.accountId !== 'ada'); },
      async get(id: string) { return all.find((a) => a.accountId === id); },
    } as unknown as Connector;
    const report = await reconcileTarget({ store: engine.store, target: engine.config.targets[0]!, connector: missedAda, now: new Date(), actor: 't', sourceIds: ['hr'] });
    expect(report.matched).toEqual([]);
    expect(report.vanished).toEqual([]);
    expect(report.disputed.map((d) => `${d.accountId}:${d.candidates.join(',')}`)).toEqual(['ada2:E1']);
    expect(report.plan.changes).toEqual([]);
    expect((await engine.store.accounts.get('app', 'E1'))?.accountId).toBe('ada');
  });
});
