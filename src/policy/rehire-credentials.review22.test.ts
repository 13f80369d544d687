import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import type { Change, Identity, Job, LinkedAccount, TargetAccount } from '../core/types.js';
import type { Connector, EnableOptions } from '../connectors/types.js';
import { applyChange } from '../executor/apply-change.js';
import { merge } from '../lifecycle/merge-fixtures.js';
import { diffAccount } from '../planner/diff.js';
import type { Store } from '../store/types.js';
import { desiredOne } from './policy-fixtures.js';
import { at, HIRED, history } from './rehire-fixtures.js';
import { credentialsPredateEmployment, writesRehireCredentials } from './rehire-credentials.js';
import { link, testConfig, testTarget } from './test-config.js';

/**
 * Review 22: a termination and a rehire read in one HR pass after the new
 * start (left on the 10th, back from the 15th, the file read on the 20th):
 * the account was never disabled, so no rehire's enable wrote a new
 * password. The lifecycle records the rehire, the policy finds the account's
 * credentials older than it, and the planner gives the enabled account an
 * enable that sets new ones (reason rehire.credentials); applied, the link
 * records it, and the next plan has nothing to do.
 */
const AD = testTarget({ type: 'ad', connection: { users: { base: 'x' } } });
const LDAP = testTarget({ type: 'ldap', connection: { disable: { strategy: 'attribute' } }, secrets: ['password'], attributes: { ...testTarget().attributes, password: '"Init-" + identity.employeeId' } });
const config = (target: TargetConfig) => testConfig({ targets: [target] });

/** Hired in 2020, seen on 2026-03-01; the file read on the 20th says: back from the 15th (with or without the old end date). */
const onePass = (row: Record<string, unknown>): Identity => history([
  ['2026-03-01T09:00:00.000Z', HIRED],
  ['2026-03-20T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', ...row }],
]);
const rehired = onePass({});
/** The account Roster made in 2020, enabled all along: credentials set then (or at the upgrade). */
const inUse = (overrides: Partial<LinkedAccount> = {}): LinkedAccount =>
  link('e1', { createdAt: '2020-02-25T08:00:00.000Z', credentialsSetAt: '2020-02-25T08:00:00.000Z', attributes: { username: 'jane.doe' }, ...overrides });
const desired = (identity: Identity, account: LinkedAccount, target = AD) =>
  desiredOne(identity, { links: [account], now: at('2026-03-20T09:00:01.000Z') }, config(target));

describe('review 22: the lifecycle records a rehire read in one pass', () => {
  it('a later start after the last time the row was recorded working is a rehire (event and rehiredAt)', () => {
    expect(rehired).toMatchObject({ state: 'active', startAt: '2026-03-15T00:00:00.000Z', rehiredAt: '2026-03-20T09:00:00.000Z' });
    const withEnd = onePass({ endDate: '2026-03-10' });
    expect(withEnd).toMatchObject({ state: 'active', rehiredAt: '2026-03-20T09:00:00.000Z' });
    const before = history([['2026-03-01T09:00:00.000Z', HIRED]]);
    const events = merge([{ ...HIRED, startDate: '2026-03-15' }], { existing: [before], now: at('2026-03-20T09:00:00.000Z') }).events;
    expect(events.map((e) => [e.kind, e.reasons])).toEqual([['rehire', ['rehire', 'rehire.unseen_leave']]]);
  });

  it('a start corrected to a day before the row was last recorded, or while a future hire, is no rehire', () => {
    const typo = history([['2026-03-01T09:00:00.000Z', HIRED], ['2026-03-20T09:00:00.000Z', { ...HIRED, startDate: '2020-03-02' }]]);
    expect(typo.rehiredAt).toBeUndefined();
    const future = history([
      ['2026-02-20T09:00:00.000Z', { ...HIRED, startDate: '2026-03-02' }],
      ['2026-03-10T09:00:00.000Z', { ...HIRED, startDate: '2026-03-04' }],
    ]);
    expect(future).toMatchObject({ state: 'active' });
    expect(future.rehiredAt).toBeUndefined();
    // A joiner who began on the Wednesday, not the Monday: the start corrected after another change was recorded.
    const wednesday = history([
      ['2026-02-20T09:00:00.000Z', { ...HIRED, startDate: '2026-03-02' }],
      ['2026-03-03T09:00:00.000Z', { ...HIRED, startDate: '2026-03-02', title: 'Staff Engineer' }],
      ['2026-03-10T09:00:00.000Z', { ...HIRED, startDate: '2026-03-04', title: 'Staff Engineer' }],
    ]);
    expect(wednesday).toMatchObject({ state: 'active', startAt: '2026-03-04T00:00:00.000Z' });
    expect(wednesday.rehiredAt).toBeUndefined();
    // Moved by more than a month, it is another employment.
    const later = history([
      ['2026-01-20T09:00:00.000Z', { ...HIRED, startDate: '2026-02-02' }],
      ['2026-02-03T09:00:00.000Z', { ...HIRED, startDate: '2026-02-02', title: 'Staff Engineer' }],
      ['2026-03-10T09:00:00.000Z', { ...HIRED, startDate: '2026-03-09', title: 'Staff Engineer' }],
    ]);
    expect(later.rehiredAt).toBe('2026-03-10T09:00:00.000Z');
  });

  it('a leave and its end, and a termination taken back, record none', () => {
    const back = history([['2026-03-01T09:00:00.000Z', HIRED], ['2026-03-05T09:00:00.000Z', { ...HIRED, status: 'leave' }], ['2026-03-20T09:00:00.000Z', HIRED]]);
    expect(back.rehiredAt).toBeUndefined();
    const undone = history([
      ['2026-03-01T09:00:00.000Z', HIRED], ['2026-03-05T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-04' }], ['2026-03-20T09:00:00.000Z', HIRED],
    ]);
    expect(undone.rehiredAt).toBeUndefined();
  });
});

describe('review 22: the policy decides from the identity and the link', () => {
  it('credentials set before the rehire was recorded predate the employment; set after, they do not', () => {
    expect(credentialsPredateEmployment(rehired, inUse())).toBe(true);
    expect(credentialsPredateEmployment(rehired, inUse({ credentialsSetAt: '2026-03-20T09:05:00.000Z' }))).toBe(false);
    // A link reconcile made holds no record: its creation stands for it.
    const { credentialsSetAt: _, ...adopted } = inUse({ createdAt: '2026-01-10T00:00:00.000Z' });
    expect(credentialsPredateEmployment(rehired, adopted)).toBe(true);
    expect(credentialsPredateEmployment(rehired, { ...adopted, createdAt: '2026-03-21T00:00:00.000Z' })).toBe(false);
    // No rehire recorded; a disabled account (its enable decides).
    expect(credentialsPredateEmployment(history([['2026-03-01T09:00:00.000Z', HIRED]]), inUse())).toBe(false);
    expect(credentialsPredateEmployment(rehired, inUse({ enabled: false, disabledAt: '2026-03-11T00:00:00.000Z' }))).toBe(false);
  });

  it('only targets that write a rehire\'s credentials, and not with passwordOnEnable: keep', () => {
    expect(writesRehireCredentials(AD)).toBe(true);
    expect(writesRehireCredentials(LDAP)).toBe(true);
    expect(writesRehireCredentials(testTarget({ type: 'ldap', connection: { disable: { strategy: 'attribute' } } }))).toBe(false);
    expect(writesRehireCredentials(testTarget({ type: 'sql' }))).toBe(false);
    expect(writesRehireCredentials(testTarget({ type: 'ad', connection: { users: { passwordOnEnable: 'keep' } } }))).toBe(false);
    expect(writesRehireCredentials(testTarget({ type: 'ad', connection: { users: { passwordOnEnable: 'return' } } }))).toBe(true);
  });

  it('the account in use is a rehire\'s whose credentials are renewed, with the new employment\'s first day', () => {
    const account = desired(rehired, inUse());
    expect(account).toMatchObject({ enabled: true, reasons: ['rehire', 'rehire.credentials'], newEmploymentSince: '2026-03-15' });
    expect(desired(rehired, inUse({ credentialsSetAt: '2026-03-20T09:05:00.000Z' })).reasons).toEqual(['active']);
    expect(desired(rehired, inUse(), testTarget()).reasons).toEqual(['active']);
    expect(desired(rehired, inUse(), testTarget({ type: 'ad', connection: { users: { passwordOnEnable: 'keep' } } })).reasons).toEqual(['active']);
  });

  it('`explain` says why', () => {
    const explained = desired(rehired, inUse()).explanations.map((e) => e.detail).join('\n');
    expect(explained).toContain('new employment since 2026-03-15 (rehire recorded 2026-03-20)');
    expect(explained).toContain('credentials are from the former one (set 2020-02-25)');
  });
});

describe('review 22: the plan and its application', () => {
  const plan = (account: LinkedAccount, target = LDAP): Change[] => {
    const out: Change[] = [];
    diffAccount(desired(rehired, account, target), account, target, out);
    return out;
  };

  it('the planner gives the enabled account an enable that carries the mapped password and the day', () => {
    const entitlements = ['users', 'engineers', 'git'];
    const changes = plan(inUse({ entitlements, attributes: { username: 'jane.doe', email: 'e1@example.com', department: 'Engineering', password: 'Init-e1' } }));
    expect(changes.map((c) => c.action)).toEqual(['enable']);
    expect(changes[0]).toMatchObject({
      before: { enabled: true }, after: { enabled: true, attributes: { password: 'Init-e1' }, newEmploymentSince: '2026-03-15' }, reasons: ['rehire', 'rehire.credentials'],
    });
    expect(plan(inUse({ credentialsSetAt: '2026-03-20T09:05:00.000Z' })).filter((c) => c.action === 'enable')).toEqual([]);
  });

  it('applied, the connector is told to renew and the link records it: the next plan has nothing to do', async () => {
    const account = inUse({ entitlements: ['users', 'engineers', 'git'], attributes: { username: 'jane.doe', email: 'e1@example.com', department: 'Engineering', password: 'Init-e1' } });
    const [enable] = plan(account).filter((c) => c.action === 'enable');
    const seen: EnableOptions[] = [];
    const connector = {
      kind: 'fake', capabilities: { entitlements: false, disable: true } as Connector['capabilities'],
      async get(): Promise<TargetAccount | undefined> { return undefined; },
      async setEnabled(_id: string, _enabled: boolean, _attributes: unknown, options: EnableOptions) { seen.push(options); return { newPassword: true }; },
    } as unknown as Connector;
    const NOW = '2026-03-20T09:10:00.000Z';
    const job: Job = { id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:e1', seq: 1, status: 'running', attempts: 1, nextRunAt: NOW, createdAt: NOW, updatedAt: NOW, change: { ...enable!, after: { ...enable!.after, attributes: {} } } };
    const effects = await applyChange(job, { store: {} as Store, connector, actor: 'test', now: () => new Date(NOW), claimed: { link: account } });
    expect(seen).toEqual([{ reason: 'rehire', renew: true }]);
    expect(effects.upsertAccount).toMatchObject({ enabled: true, credentialsSetAt: NOW });
    expect(effects.audit?.[0]?.data).toMatchObject({ action: 'enable', newPassword: true });
    expect(plan(effects.upsertAccount!)).toEqual([]);
  });
});
