import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { linkAccount } from '../reconcile/link.js';
import { orphanIdentity } from '../reconcile/orphans.js';
import { reconcileProject, type TestProject } from '../reconcile/test-project.js';
import { openEngine } from './index.js';
import { RECONCILE_REQUIRED } from './planning.js';
import type { Engine } from './types.js';

/** Reconcile through the engine, over a memory target seeded with accounts Roster did not make. */
describe('reconcile, and the plans after it', () => {
  const projects: TestProject[] = [];
  const engines: Engine[] = [];
  const open = async (p: TestProject) => {
    const engine = await openEngine(p.config);
    engines.push(engine);
    await engine.readSource('hr', 'test');
    return engine;
  };
  const project = (...args: Parameters<typeof reconcileProject>) => {
    const p = reconcileProject(...args);
    projects.push(p);
    return p;
  };
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const p of projects.splice(0)) p.remove();
    memoryTargets.clear();
  });

  it('A: a shared mailbox stays disputed (not an orphan) after its claimants got their own accounts, and `orphans: disable` leaves it alone', async () => {
    const p = project('mbox', [{ username: 'team.mailbox', email: 'team@example.com' }], [
      { id: 'E3', givenName: 'Team', familyName: 'One', email: 'team@example.com' },
      { id: 'E4', givenName: 'Team', familyName: 'Two', email: 'team@example.com' },
    ]);
    const engine = await open(p);
    expect((await engine.reconcile('mbox', { actor: 't' })).disputed).toHaveLength(1);
    const sync = await engine.sync({ actor: 't' });
    expect(sync.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E3', 'E4']);
    await engine.close();
    p.write('disable');
    const again = await open(p);
    const report = await again.reconcile('mbox', { actor: 't', apply: true });
    expect(report.disputed).toMatchObject([{ accountId: 'team.mailbox', candidates: ['E3', 'E4'] }]);
    expect(report.orphans).toEqual([]);
    expect(report.plan.changes).toEqual([]);
    expect(memoryTargets.get('mbox')?.accounts.get('team.mailbox')?.enabled).toBe(true);
  });

  it('B: a person with two disputed accounts gets no third: the create is held until an admin links one', async () => {
    const p = project('kj', [{ username: 'kjohnson', employeeNumber: 'E6' }, { username: 'katherine.j', employeeNumber: 'E6' }], [
      { id: 'E6', givenName: 'Katherine', familyName: 'Johnson' },
    ]);
    const engine = await open(p);
    expect((await engine.reconcile('kj', { actor: 't' })).disputed.map((d) => d.accountId).sort()).toEqual(['katherine.j', 'kjohnson']);
    const held = await engine.plan();
    expect(held.changes).toEqual([]);
    expect(held.diagnostics).toEqual([expect.objectContaining({ code: 'reconcile.disputed', identity: 'E6', target: 'kj' })]);
    const explain = await engine.explain('E6');
    expect(explain.accounts[0]?.desired.reasons).toContain('reconcile.disputed');

    await expect(linkAccount({ store: engine.store, target: engine.config.targets[0]!, identityId: 'E6', accountId: 'nobody', actor: 't', now: new Date() }))
      .rejects.toMatchObject({ code: 'target.not_found' });
    await linkAccount({ store: engine.store, target: engine.config.targets[0]!, identityId: 'E6', accountId: 'kjohnson', actor: 't', now: new Date() });
    await expect(linkAccount({ store: engine.store, target: engine.config.targets[0]!, identityId: 'E6', accountId: 'katherine.j', actor: 't', now: new Date() }))
      .rejects.toMatchObject({ code: 'store.conflict' });
    const sync = await engine.sync({ actor: 't' });
    expect(sync.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(sync.plan.changes.map((c) => [c.action, c.before?.accountId])).toEqual([['update', 'kjohnson']]);
    expect([...memoryTargets.get('kj')!.accounts.keys()].sort()).toEqual(['katherine.j', 'kjohnson']);
    // The next pass sees the link and still reports the other account as disputed (E6 has an account: never an orphan).
    const after = await engine.reconcile('kj', { actor: 't' });
    expect(after).toMatchObject({ linked: 1, orphans: [], disputed: [{ accountId: 'katherine.j', candidates: ['E6'] }] });
  });

  it('C: a joiner is not given the name an orphan holds, so the connector never finds that account under it', async () => {
    const p = project('js', [{ username: 'john.smith', email: 'old.john@example.com', enabled: false }], [{ id: 'E7', givenName: 'John', familyName: 'Smith' }]);
    const engine = await open(p);
    expect((await engine.reconcile('js', { actor: 't' })).orphans).toEqual([{ accountId: 'john.smith', key: 'john.smith', disabled: true }]);
    const sync = await engine.sync({ actor: 't' });
    expect(sync.result?.errors).toEqual([]);
    expect((await engine.store.accounts.get('js', 'E7'))?.accountId).toBe('john.smith2');
    expect(memoryTargets.get('js')?.accounts.get('john.smith')).toMatchObject({ enabled: false, attributes: { email: 'old.john@example.com' } });
  });

  it('D: an orphan Roster disabled is still an orphan, and `orphans: delete` deletes it later', async () => {
    const p = project('orph', [{ username: 'old.two' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    let engine = await open(p);
    expect((await engine.reconcile('orph', { actor: 't', apply: true })).result?.applied).toBe(1);
    expect(memoryTargets.get('orph')?.accounts.get('old.two')?.enabled).toBe(false);
    expect(await engine.store.accounts.listByTarget('orph')).toEqual([]);
    const after = await engine.reconcile('orph', { actor: 't' });
    expect(after).toMatchObject({ linked: 0, orphans: [{ accountId: 'old.two' }] });
    expect(after.plan.changes).toEqual([]); // disabled already: not disabled again
    await engine.close();
    p.write('delete');
    engine = await open(p);
    expect((await engine.reconcile('orph', { actor: 't', apply: true })).result?.applied).toBe(1);
    expect(memoryTargets.get('orph')?.accounts.has('old.two')).toBe(false);
  });

  it('D: an orphan deleted by hand between the reconcile and its apply counts as disabled, not as a failure', async () => {
    const p = project('gone', [{ username: 'old.three' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    const engine = await open(p);
    const report = await engine.reconcile('gone', { actor: 't' });
    expect(report.plan.changes.map((c) => c.action)).toEqual(['disable']);
    memoryTargets.get('gone')?.accounts.delete('old.three');
    const result = await engine.apply(report.plan, { actor: 't' });
    expect(result).toMatchObject({ applied: 1, failed: 0 });
    const entry = (await engine.store.audit.list({ kind: 'change.applied', limit: 10 })).find((e) => e.target === 'gone');
    expect(entry?.data).toMatchObject({ action: 'disable', gone: true });
  });

  it('D: a link to an orphan pseudo-identity (left by an earlier version) is dropped and the account reported again', async () => {
    // One person in HR (whom the account is not): a store with no identity at all refuses the pass (reconcile/no-identities.ts).
    const p = project('stray', [{ username: 'old.three', enabled: false }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    const engine = await open(p);
    await engine.store.accounts.upsert({
      target: 'stray', identityId: orphanIdentity('old.three'), accountId: 'old.three', attributes: {}, entitlements: [], enabled: false, createdAt: '', updatedAt: '',
    });
    const report = await engine.reconcile('stray', { actor: 't' });
    expect(report).toMatchObject({ linked: 0, orphans: [{ accountId: 'old.three' }], vanished: [] });
    expect(await engine.store.accounts.listByTarget('stray')).toEqual([]);
  });
  it('keeps the groups a disabled account was stripped of in its link, so enable can give them back', async () => {
    const p = project('strip', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    const engine = await open(p);
    await engine.reconcile('strip', { actor: 't' }); // the target has match rules: creates wait for a first pass
    await engine.sync({ actor: 't' });
    const link = (await engine.store.accounts.listByIdentity('E1'))[0]!;
    // As the strip-groups strategy leaves it: disabled in the target with no groups, the link still listing them.
    const stored = memoryTargets.get('strip')!.accounts.get(link.accountId)!;
    stored.enabled = false;
    stored.entitlements.clear();
    await engine.store.accounts.upsert({ ...link, enabled: false, entitlements: ['all-staff', 'vpn'] });
    await engine.reconcile('strip', { actor: 't' });
    expect(await engine.store.accounts.get('strip', 'E1')).toMatchObject({ enabled: false, entitlements: ['all-staff', 'vpn'] });
    // An enabled account's link follows the target.
    stored.enabled = true;
    await engine.reconcile('strip', { actor: 't' });
    expect(await engine.store.accounts.get('strip', 'E1')).toMatchObject({ enabled: true, entitlements: [] });
  });

  it('E: a read that returns none of the linked accounts removes no link, the next plan creates nothing; force keeps them, removeVanished removes them', async () => {
    const p = project('short', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }]);
    p.write('disable');
    const engine = await open(p);
    // The first reconcile (nothing there yet) lets the plans create.
    await engine.reconcile('short', { actor: 't' });
    await engine.sync({ actor: 't' });
    const target = memoryTargets.get('short')!;
    const accounts = new Map(target.accounts);
    // As a search below an emptied or mistyped users.base returns them: not at all.
    target.accounts.clear();
    const held = await engine.reconcile('short', { actor: 't', apply: true });
    expect(held.vanished).toEqual([]);
    expect(held.vanishedHeld).toEqual({
      hold: expect.objectContaining({ code: 'safety.vanished', message: expect.stringContaining('the read of short returned 0 of 2 linked accounts') }),
      links: [{ accountId: 'ada.lovelace', identity: 'E1' }, { accountId: 'grace.hopper', identity: 'E2' }],
    });
    expect(held.plan).toMatchObject({ held: true, holds: [{ code: 'safety.vanished' }] });
    expect((await engine.store.accounts.listByTarget('short')).map((l) => l.identityId).sort()).toEqual(['E1', 'E2']);
    expect(await engine.store.audit.list({ kind: 'reconcile.vanished_held' })).toHaveLength(1);
    expect(await engine.store.audit.list({ kind: 'account.vanished' })).toEqual([]);
    expect((await engine.plan()).changes.filter((c) => c.action === 'create')).toEqual([]);
    // The accounts were there all along: the next good read finds them linked.
    for (const [id, account] of accounts) target.accounts.set(id, account);
    expect(await engine.reconcile('short', { actor: 't' })).toMatchObject({ linked: 2, vanished: [] });
    target.accounts.clear();
    // force is for orphan plans past their limits: it removes no link.
    const forced = await engine.reconcile('short', { actor: 't', force: true });
    expect(forced.vanished).toEqual([]);
    expect(forced.vanishedHeld?.links).toHaveLength(2);
    expect((await engine.store.accounts.listByTarget('short')).map((l) => l.identityId).sort()).toEqual(['E1', 'E2']);
    const removed = await engine.reconcile('short', { actor: 't', removeVanished: true });
    expect(removed.vanishedHeld).toBeUndefined();
    expect(removed.vanished.map((v) => v.identity).sort()).toEqual(['E1', 'E2']);
    expect(await engine.store.accounts.listByTarget('short')).toEqual([]);
  });

  it('E: one account deleted outside Roster among several still loses its link (and the next plan restores it)', async () => {
    const p = project('one-gone', [], [
      { id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }, { id: 'E3', givenName: 'Alan', familyName: 'Turing' },
    ]);
    const engine = await open(p);
    // The first reconcile (nothing there yet) lets the plans create.
    await engine.reconcile('one-gone', { actor: 't' });
    await engine.sync({ actor: 't' });
    memoryTargets.get('one-gone')!.accounts.delete('grace.hopper');
    const report = await engine.reconcile('one-gone', { actor: 't' });
    expect(report).toMatchObject({ linked: 2, vanished: [{ accountId: 'grace.hopper', identity: 'E2' }] });
    expect(report.vanishedHeld).toBeUndefined();
    expect((await engine.plan()).changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E2']);
  });

  it('F: a match rule whose attribute the read does not return is a warning, and the other rules still match', async () => {
    const p = project('unread', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }]);
    const engine = await open(p);
    // The first reconcile (nothing there yet) lets the plans create.
    await engine.reconcile('unread', { actor: 't' });
    await engine.sync({ actor: 't' });
    // The accounts Roster made carry employeeNumber (their links say so); a read that drops it cannot match by it.
    const target = memoryTargets.get('unread')!;
    for (const account of target.accounts.values()) delete account.attributes.employeeNumber;
    // Grace's link is lost: the email rule, tried next, finds her account again.
    await engine.store.accounts.remove('unread', 'E2');
    const report = await engine.reconcile('unread', { actor: 't' });
    expect(report.warnings).toEqual([expect.stringContaining(
      'the match rule employeeNumber = identity.employeeId matched nothing: none of the 2 accounts read carries employeeNumber (they carry: email, username)',
    )]);
    expect(report).toMatchObject({ linked: 1, matched: [{ accountId: 'grace.hopper', identity: 'E2', rule: 'email = identity.email' }], orphans: [] });
    const [pass] = (await engine.store.audit.list({ kind: 'target.reconciled' })).slice(-1);
    expect(pass?.data).toMatchObject({ warnings: report.warnings });
  });

  it('F: while a rule is unread, orphan actions are held: the orphans may be people that rule should have found', async () => {
    const p = project('unread-orphans', [{ username: 'left.behind', employeeNumber: 'X9' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    const engine = await open(p);
    await engine.reconcile('unread-orphans', { actor: 't' });
    await engine.sync({ actor: 't' });
    for (const account of memoryTargets.get('unread-orphans')!.accounts.values()) delete account.attributes.employeeNumber;
    const report = await engine.reconcile('unread-orphans', { actor: 't', apply: true });
    expect(report.orphans.map((o) => o.accountId)).toEqual(['left.behind']);
    expect(report.plan.changes.map((c) => c.action)).toEqual(['disable']);
    expect(report.plan.held).toBe(true);
    expect(report.plan.holds.map((h) => h.code)).toContain('reconcile.rule_unread');
    // Held: nothing was disabled.
    expect(memoryTargets.get('unread-orphans')!.accounts.get('left.behind')?.enabled).toBe(true);
  });

  it('F: force does not lift an unread rule\'s hold, nor a short read\'s: their orphans cannot be trusted', async () => {
    const p = project('unforced', [{ username: 'left.behind', employeeNumber: 'X9' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    const engine = await open(p);
    await engine.reconcile('unforced', { actor: 't' });
    await engine.sync({ actor: 't' });
    const target = memoryTargets.get('unforced')!;
    for (const account of target.accounts.values()) delete account.attributes.employeeNumber;
    const unread = await engine.reconcile('unforced', { actor: 't', apply: true, force: true });
    expect(unread.plan.holds.map((h) => h.code)).toEqual(['reconcile.rule_unread']);
    expect(unread.result).toBeUndefined();
    expect(target.accounts.get('left.behind')?.enabled).toBe(true);
    // Ada's account gone (1 of 1 links vanished, past maxDeletes 0%): a short read, which force does not lift either.
    target.accounts.get('left.behind')!.attributes.employeeNumber = 'X9';
    expect(target.accounts.delete('ada.lovelace')).toBe(true);
    writeFileSync(p.config, readFileSync(p.config, 'utf8').replace('maxDeletes: 100%', 'maxDeletes: 0%'));
    const reopened = await open(p);
    const short = await reopened.reconcile('unforced', { actor: 't', apply: true, force: true });
    expect(short.plan.holds.map((h) => h.code)).toEqual(['safety.vanished']);
    expect(short.result).toBeUndefined();
    expect(target.accounts.get('left.behind')?.enabled).toBe(true);
  });

  describe('G: a first pass that reads fewer than safety.minAccounts accounts', () => {
    const minAccounts = (p: TestProject, n: number) => writeFileSync(p.config, readFileSync(p.config, 'utf8').replace('minAccounts: 0', `minAccounts: ${n}`));
    const people = [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }];

    it('and links nobody keeps the creates held (a mistyped base must not create everyone again); force accepts an empty directory', async () => {
      const p = project('empty', [], people);
      minAccounts(p, 10);
      const engine = await open(p);
      const held = await engine.reconcile('empty', { actor: 't' });
      expect(held.createsHeld).toBe('empty: read 0 accounts from empty, fewer than safety.minAccounts (10), and linked none; creates in empty stay held: '
        + 'if the directory already has people, check connection.base / users.base; run again with --force to accept an empty directory');
      const plan = await engine.plan();
      expect(plan.changes.filter((c) => c.action === 'create')).toEqual([]);
      expect(plan.diagnostics).toEqual([expect.objectContaining({ code: RECONCILE_REQUIRED, target: 'empty' })]);
      const forced = await engine.reconcile('empty', { actor: 't', force: true });
      expect(forced.createsHeld).toBeUndefined();
      const [pass] = (await engine.store.audit.list({ kind: 'target.reconciled' })).slice(-1);
      expect(pass?.data).toMatchObject({ forced: held.createsHeld });
      expect((await engine.plan()).changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E1', 'E2']);
    });

    it('opens the gate when it linked someone, and when minAccounts is 0', async () => {
      const p = project('some', [{ username: 'ada', email: 'ada.lovelace@example.com' }], people);
      minAccounts(p, 10);
      const engine = await open(p);
      const report = await engine.reconcile('some', { actor: 't' });
      expect(report.matched).toMatchObject([{ identity: 'E1' }]);
      expect(report.createsHeld).toBeUndefined();
      expect((await engine.plan()).changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E2']);
      const zero = project('zero', [], people);
      const other = await open(zero);
      expect((await other.reconcile('zero', { actor: 't' })).createsHeld).toBeUndefined();
      expect((await other.plan()).changes.filter((c) => c.action === 'create')).toHaveLength(2);
    });
  });
});
