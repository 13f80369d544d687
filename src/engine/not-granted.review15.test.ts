import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Plan } from '../core/types.js';
import { NOT_GRANTED, ROLE_REMOVED } from '../policy/reasons.js';
import type { Engine } from './types.js';

const csv = (rows: readonly (readonly [string, string])[]) => `employeeId,department\n${rows.map((r) => r.join(',')).join('\n')}\n`;

const yaml = (store: string) => `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection:
      key: username
      seed:
        - { attributes: { username: E1 }, entitlements: [eng, legacy, vpn] }
    accountKey: username
    attributes: { username: identity.employeeId }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    reconcile:
      match: [{ account: username, identity: employeeId, normalise: exact }]
roles:
  - { id: engineering, when: 'identity.department == "Eng"', grants: { app: [eng] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { app: [sales] } }
`;

/** A plan's revokes of one identity: entitlement → the reason that says why it goes. */
const revokes = (plan: Plan, identity: string) => Object.fromEntries(plan.changes
  .filter((c) => c.identity === identity && c.action === 'revoke')
  .map((c) => [c.before?.entitlement, c.reasons.find((r) => r === NOT_GRANTED || r === ROLE_REMOVED)]));

/**
 * LinkedAccount.notGranted recorded end to end on a memory target: an account
 * reconcile adopts holds nothing Roster granted; a membership added by hand
 * later is found by the next pass; an entry goes once the account no longer
 * holds it, or once Roster grants or revokes it. The plan's revokes say
 * `entitlement.not_granted` for those, `role.removed` for what Roster granted.
 */
describe.each(['sqlite', 'postgres'] as const)('memberships Roster never granted (%s)', (dialect) => {
  const dir = useEngineDir('not-granted');
  const link = async (engine: Engine, id: string) => engine.store.accounts.get('app', id);
  const held = (username: string) => memoryTargets.get('app')!.accounts.get(username)!.entitlements;

  it('are recorded when reconcile adopts an account and finds one added by hand, and the plans say so', async () => {
    const engine = await dir.open(yaml(await dir.store(dialect, 'roster_not_granted')), { files: { 'employees.csv': csv([['E1', 'Eng'], ['E2', 'Eng'], ['E3', 'Sales']]) } });
    await engine.readSource('hr', 'test');
    const first = await engine.reconcile('app', { actor: 'test' });
    expect(first.matched.map((m) => m.identity)).toEqual(['E1']);
    // Adopted: every membership the account held, none granted by Roster.
    expect((await link(engine, 'E1'))?.notGranted).toEqual(['eng', 'legacy', 'vpn']);

    const sync = await engine.sync({ actor: 'test' });
    expect(revokes(sync.plan, 'E1')).toEqual({ legacy: NOT_GRANTED, vpn: NOT_GRANTED });
    expect(sync.plan.holds).toEqual([]);
    expect(sync.result).toMatchObject({ failed: 0 });
    // Revoked by Roster: gone from the record. The one a role gives stays: Roster never granted it.
    expect(await link(engine, 'E1')).toMatchObject({ entitlements: ['eng'], notGranted: ['eng'] });
    // Made and granted by Roster: no record at all (the field absent, not empty).
    for (const id of ['E2', 'E3']) expect(Object.keys((await link(engine, id))!)).not.toContain('notGranted');

    // By hand in the target: E2 gets a group no role gives, E1 loses the one it held since before Roster.
    held('E2').add('manual');
    held('E1').delete('eng');
    await engine.reconcile('app', { actor: 'test' });
    expect((await link(engine, 'E2'))?.notGranted).toEqual(['manual']);
    expect(await link(engine, 'E1')).toMatchObject({ entitlements: [] });
    expect(Object.keys((await link(engine, 'E1'))!)).not.toContain('notGranted');
    expect(Object.keys((await link(engine, 'E3'))!)).not.toContain('notGranted');

    // E1's eng granted again, by Roster now; E2's manual revoked as never granted; E3 leaves sales: the role went.
    dir.write('employees.csv', csv([['E1', 'Eng'], ['E2', 'Eng'], ['E3', 'Ops']]));
    const next = await engine.sync({ actor: 'test' });
    expect(next.plan.changes.filter((c) => c.identity === 'E1').map((c) => `${c.action}:${c.after?.entitlement}`)).toEqual(['grant:eng']);
    expect(revokes(next.plan, 'E2')).toEqual({ manual: NOT_GRANTED });
    expect(revokes(next.plan, 'E3')).toEqual({ sales: ROLE_REMOVED });
    expect(next.result).toMatchObject({ failed: 0 });
    for (const id of ['E1', 'E2', 'E3']) expect(Object.keys((await link(engine, id))!), id).not.toContain('notGranted');

    // E1 leaves engineering: eng, granted by Roster, goes with role.removed.
    dir.write('employees.csv', csv([['E1', 'Ops'], ['E2', 'Eng'], ['E3', 'Ops']]));
    expect(revokes((await engine.sync({ actor: 'test' })).plan, 'E1')).toEqual({ eng: ROLE_REMOVED });
  });
});
