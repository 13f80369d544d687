import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../core/types.js';
import { compilePolicy, DISPUTED_REASON, UniqueIndex } from '../policy/index.js';
import { identity, link, NOW, person, testConfig } from '../policy/test-config.js';
import { planOf } from './plan-fixtures.js';

/** What the last reconcile learnt about unlinked accounts, as plans use it (src/reconcile/memo.ts). */
describe('plans after a reconcile', () => {
  const config = testConfig();
  const policy = compilePolicy(config);
  const john = identity('E7', { attributes: person('E7', { givenName: 'John', familyName: 'Smith' }) });

  it('a joiner is not given a name an unlinked account holds (any case), but the next candidate', () => {
    const unique = UniqueIndex.fromAccounts([], config, new Map([['app', { username: ['John.Smith'] }]]));
    const [app] = policy.desired(john, { now: NOW, linked: new Map(), unique });
    expect(app?.attributes.username).toBe('jsmith');
    const both = UniqueIndex.fromAccounts([], config, new Map([['app', { username: ['john.smith', 'jsmith'] }]]));
    expect(policy.desired(john, { now: NOW, linked: new Map(), unique: both })[0]?.attributes.username).toBe('john.smith2');
  });

  it('a name both a link and the memo hold (an account linked by hand since) stays its linked holder\'s', () => {
    const unique = UniqueIndex.fromAccounts([link('E7', { attributes: { username: 'john.smith' } })], config, new Map([['app', { username: ['john.smith'] }]]));
    expect(unique.taken('app', 'username', 'john.smith', 'E7')).toBe(false);
    expect(unique.taken('app', 'username', 'john.smith', 'E8')).toBe(true);
  });

  it('a person with disputed accounts gets no create: a warning diagnostic and the reason instead', () => {
    const diagnostics: Diagnostic[] = [];
    const disputed = (target: string, id: string) => (target === 'app' && id === 'E7' ? ['g3', 'g4'] : undefined);
    const desired = policy.desired(john, { now: NOW, linked: new Map(), unique: UniqueIndex.fromAccounts([], config), disputed, diagnostics });
    expect(desired[0]).toMatchObject({ present: true, reasons: expect.arrayContaining([DISPUTED_REASON]), attributes: {} });
    expect(desired[0]?.explanations).toContainEqual(expect.objectContaining({ subject: 'account', rule: 'reconcile:app' }));
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'reconcile.disputed', identity: 'E7', target: 'app' })]);
    expect(diagnostics[0]?.message).toContain('roster reconcile --link app E7 <accountId>');
    expect(planOf(desired).changes).toEqual([]);
  });

  it('once linked, the dispute no longer matters: the linked account is kept up to date as usual', () => {
    const disputed = () => ['g3'];
    const linked = link('E7', { accountId: 'g4', attributes: { username: 'kjohnson', email: 'old@example.com', department: 'Engineering' } });
    const desired = policy.desired(john, { now: NOW, linked: new Map([['app', linked]]), unique: UniqueIndex.fromAccounts([linked], config), disputed });
    expect(desired[0]?.reasons).not.toContain(DISPUTED_REASON);
    expect(planOf(desired, [linked]).changes.map((c) => c.action)).toContain('update');
  });
});
