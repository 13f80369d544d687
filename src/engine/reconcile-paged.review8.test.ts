import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Connector } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { TargetAccount } from '../core/types.js';
import { memoKey, unlinkedKey } from '../reconcile/memo.js';
import { reconcileTarget } from './reconcile.js';

/**
 * A target that fails half-way through a paged read (a dropped connection,
 * a server-side limit): the accounts it did not return must not be taken
 * for vanished (links removed, accounts created again) nor for orphans, and
 * nothing the last good pass learnt is overwritten. Re-running a pass on an
 * unchanged target changes nothing.
 */
describe('reconcile of a target whose read fails half-way (review8)', () => {
  const dir = useEngineDir('review8-paged');
  const people = Array.from({ length: 30 }, (_, i) => `E${100 + i}`);

  async function adopted() {
    const seed = [...people, 'X999'].map((id) => `        - { attributes: { username: "${id.toLowerCase()}", employeeNumber: "${id}" }, enabled: true }`).join('\n');
    const engine = await dir.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: app
    type: memory
    connection:
      key: username
      seed:
${seed}
    accountKey: username
    attributes:
      username: identity.employeeId.lowerAscii()
      employeeNumber: identity.employeeId
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    reconcile:
      match:
        - { account: employeeNumber, identity: employeeId, normalise: exact }
      orphans: disable
`, { files: { 'hr.csv': ['employeeId,givenName,familyName', ...people.map((id, i) => `${id},P,N${i}`)].join('\n') + '\n' }, log: silentLogger });
    await engine.readSource('hr', 't');
    const first = await engine.reconcile('app', { actor: 't' });
    expect(first.matched).toHaveLength(30);
    expect(first.orphans.map((o) => o.accountId)).toEqual(['x999']);
    return engine;
  }

  /** The memory target's accounts as a connector lists them, failing after `after` of them. */
  function failingAfter(after: number): Connector {
    const target = memoryTargets.get('app')!;
    const all: TargetAccount[] = [...target.accounts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([accountId, a]) => ({
      accountId, attributes: { ...a.attributes }, entitlements: [...a.entitlements], enabled: a.enabled,
    }));
    return {
      capabilities: {},
      async *list() {
        for (const [i, account] of all.entries()) {
          if (i === after) throw new RosterError('target.unavailable', 'connection reset during the paged search', { retryable: true });
          yield account;
        }
      },
      async get(id: string) { return all.find((a) => a.accountId === id); },
    } as unknown as Connector;
  }

  it('removes no link, records no orphan, and keeps what the last good pass learnt', async () => {
    const engine = await adopted();
    const memo = await engine.store.state.get(memoKey('app'));
    const unlinked = await engine.store.state.get(unlinkedKey('app'));
    const audit = (await engine.store.audit.list({ limit: 1000 })).length;
    await expect(reconcileTarget({ store: engine.store, target: engine.config.targets[0]!, connector: failingAfter(12), now: new Date(), actor: 't', sourceIds: ['hr'] }))
      .rejects.toThrow('connection reset');
    expect(await engine.store.accounts.listByTarget('app')).toHaveLength(30);
    expect(await engine.store.state.get(memoKey('app'))).toEqual(memo);
    expect(await engine.store.state.get(unlinkedKey('app'))).toEqual(unlinked);
    expect((await engine.store.audit.list({ limit: 1000 })).length).toBe(audit);
    // The next plan creates nobody again and disables no one.
    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.action !== 'update')).toEqual([]);
  });

  it('a second pass over the unchanged target links, orphans and plans the same, and removes nothing', async () => {
    const engine = await adopted();
    const second = await engine.reconcile('app', { actor: 't' });
    expect({ linked: second.linked, matched: second.matched.length, vanished: second.vanished.length, orphans: second.orphans.map((o) => o.accountId) })
      .toEqual({ linked: 30, matched: 0, vanished: 0, orphans: ['x999'] });
    expect(second.plan.changes.map((c) => `${c.action} ${c.identity}`)).toEqual(['disable orphan:x999']);
    expect(await engine.store.accounts.listByTarget('app')).toHaveLength(30);
  });
});
