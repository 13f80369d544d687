import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import type { Change, DesiredAccount, Job, LinkedAccount, TargetAccount } from '../core/types.js';
import type { Connector } from '../connectors/types.js';
import { diffAccount } from '../planner/diff.js';
import type { Store } from '../store/types.js';
import { applyChange } from './apply-change.js';

/**
 * LinkedAccount.outOfScopeSince: recorded by the first applied change of the
 * scope-removed treatment, kept by later ones (a retry, the next revoke),
 * cleared by any other change; the update that only records it (planned when
 * nothing else is to be done) never reaches the target.
 */
const T0 = '2026-01-01T00:00:00.000Z';
const target = { id: 'app', accountKey: 'username' } as unknown as TargetConfig;
const OUT = ['scope.removed', 'leaver.revoke_all'];

const linked = (extra: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId: 'E1', accountId: 'ada', attributes: { username: 'ada' }, entitlements: [], enabled: false,
  createdAt: T0, updatedAt: T0, disabledAt: T0, ...extra,
});
const desired = (reasons: readonly string[], extra: Partial<DesiredAccount> = {}): DesiredAccount => ({
  target: 'app', identityId: 'E1', present: true, enabled: false, reasons, attributes: { username: 'ada' }, entitlements: [], explanations: [], ...extra,
});
const planned = (d: DesiredAccount, link: LinkedAccount): Change[] => {
  const out: Change[] = [];
  diffAccount(d, link, target, out);
  return out;
};
const job = (change: Change): Job => ({
  id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:E1', seq: 1, status: 'running', attempts: 1,
  nextRunAt: T0, createdAt: T0, updatedAt: T0, change,
});

function connector(calls: string[]): Connector {
  return {
    kind: 'fake', capabilities: { entitlements: true } as Connector['capabilities'],
    async check() {},
    async *list() {},
    async get(): Promise<TargetAccount | undefined> { return undefined; },
    async create() { calls.push('create'); return { accountId: 'ada', attributes: {}, entitlements: [], enabled: false }; },
    async update() { calls.push('update'); },
    async setEnabled(_id, enabled) { calls.push(enabled ? 'enable' : 'disable'); },
    async delete() { calls.push('delete'); },
    async grant() { calls.push('grant'); },
    async revoke() { calls.push('revoke'); },
    async close() {},
  };
}

async function apply(change: Change, link: LinkedAccount, at: string, calls: string[] = []): Promise<LinkedAccount | undefined> {
  const effects = await applyChange(job(change), {
    store: {} as Store, connector: connector(calls), actor: 'test', now: () => new Date(at), claimed: { link },
  });
  return effects.upsertAccount;
}

describe('review 8: the record of leaving scope, planned and applied', () => {
  it('an account already disabled, without entitlements, that leaves scope: one update that records it and writes nothing', async () => {
    const changes = planned(desired(OUT), linked());
    expect(changes).toMatchObject([{ action: 'update', reasons: OUT, before: { attributes: {} }, after: { attributes: {} } }]);
    const calls: string[] = [];
    const after = await apply(changes[0]!, linked(), '2026-03-01T00:00:00.000Z', calls);
    expect(calls).toEqual([]);
    expect(after).toMatchObject({ outOfScopeSince: '2026-03-01T00:00:00.000Z', disabledAt: T0, enabled: false });
    // Recorded: the next plan has nothing for it.
    expect(planned(desired(OUT), after!)).toEqual([]);
  });

  it('the disable and revokes of the treatment record it once: later ones (and retries) keep the first moment', async () => {
    const enabled = linked({ enabled: true, entitlements: ['staff', 'admins'] });
    delete (enabled as { disabledAt?: string }).disabledAt;
    const changes = planned(desired(OUT), enabled);
    expect(changes.map((c) => c.action)).toEqual(['revoke', 'revoke', 'disable']);
    let link: LinkedAccount = enabled;
    const times = ['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:05.000Z', '2026-03-01T00:00:09.000Z'];
    for (const [i, change] of changes.entries()) link = (await apply(change, link, times[i]!))!;
    expect(link).toMatchObject({ enabled: false, entitlements: [], outOfScopeSince: times[0], disabledAt: times[2] });
    // A retry of the disable, a day later, keeps both.
    expect(await apply(changes[2]!, link, '2026-03-02T00:00:00.000Z')).toMatchObject({ outOfScopeSince: times[0], disabledAt: times[2] });
  });

  it('back in scope: the change that brings the account back clears it, or an update that only clears it', async () => {
    const out = linked({ outOfScopeSince: '2026-03-01T00:00:00.000Z' });
    const [enable] = planned(desired(['active'], { enabled: true }), out);
    expect(enable).toMatchObject({ action: 'enable' });
    expect((await apply(enable!, out, '2026-03-05T00:00:00.000Z'))?.outOfScopeSince).toBeUndefined();
    // Still on leave (nothing to do on the target): an update that only clears it.
    const clearing = planned(desired(['leave.suspended', 'leaver.revoke_all']), out);
    expect(clearing).toMatchObject([{ action: 'update', after: { attributes: {} } }]);
    const calls: string[] = [];
    const after = await apply(clearing[0]!, out, '2026-03-05T00:00:00.000Z', calls);
    expect(calls).toEqual([]);
    expect(after).not.toHaveProperty('outOfScopeSince');
    expect(planned(desired(['leave.suspended', 'leaver.revoke_all']), after!)).toEqual([]);
  });

  it('nothing planned for an account whose record already agrees with policy', () => {
    expect(planned(desired(['leave.suspended']), linked())).toEqual([]);
    expect(planned(desired(OUT), linked({ outOfScopeSince: T0 }))).toEqual([]);
  });
});
