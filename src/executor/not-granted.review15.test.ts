import { describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import type { Change, Job, LinkedAccount, TargetAccount } from '../core/types.js';
import type { Connector } from '../connectors/types.js';
import type { Store } from '../store/types.js';
import { applyChange } from './apply-change.js';

/**
 * What an applied change does to LinkedAccount.notGranted (the memberships
 * Roster never granted): a grant or a revoke takes its entitlement out; a
 * create, or a link started from the target, records what the account
 * already held; a create over a link records what was added by hand since;
 * a link without a record stays without the field.
 */
const NOW = new Date('2026-11-28T09:00:00.000Z');
const AT = '2026-11-01T00:00:00.000Z';

function link(over: Partial<LinkedAccount> = {}): LinkedAccount {
  return { target: 'app', identityId: 'E1', accountId: 'a1', attributes: { username: 'ada' }, entitlements: [], enabled: true, createdAt: AT, updatedAt: AT, ...over };
}

function job(change: Omit<Change, 'id' | 'identity' | 'target'>): Job {
  return {
    id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:E1', seq: 1, status: 'running', attempts: 1,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
    change: { id: `app:E1:${change.action}`, identity: 'E1', target: 'app', ...change },
  };
}

/** A target holding one account (a1) with these memberships; create returns `created`. */
function target(entitlements: string[], created?: TargetAccount): Connector {
  const account = (): TargetAccount => ({ accountId: 'a1', attributes: { username: 'ada' }, entitlements: [...entitlements], enabled: true });
  return {
    kind: 'fake', capabilities: { entitlements: true, disable: true, delete: true },
    async check() {},
    async *list() {},
    async get(id: string) { return id === 'a1' ? account() : undefined; },
    async create() { return created ?? account(); },
    async update() {}, async setEnabled() {}, async delete() {},
    async grant(_id: string, e: string) { entitlements.push(e); },
    async revoke(_id: string, e: string) { entitlements.splice(entitlements.indexOf(e), 1); },
    async close() {},
  };
}

async function apply(change: Job, connector: Connector, claimed: LinkedAccount | undefined): Promise<LinkedAccount | undefined> {
  const store = { accounts: { async get() { return claimed; } } } as unknown as Store;
  const effects = await applyChange(change, { store, connector, actor: 'test', now: () => NOW, claimed: { link: claimed } });
  return effects.upsertAccount;
}

const grant = (entitlement: string) => job({ action: 'grant', before: null, after: { accountId: 'a1', entitlement }, reasons: ['role.added'] });
const revoke = (entitlement: string) => job({ action: 'revoke', before: { accountId: 'a1', entitlement }, after: null, reasons: ['entitlement.not_granted'] });
const create = job({ action: 'create', before: null, after: { enabled: true, attributes: { username: 'ada' } }, reasons: ['joiner'] });

describe('applied changes and the memberships Roster never granted (review15)', () => {
  it('a grant takes its entitlement out of the record (by its normalised name); the last one out leaves no field', async () => {
    const held = ['CN=VPN,OU=G', 'legacy'];
    const granted = await apply(grant('cn=vpn, ou=g'), target([...held]), link({ entitlements: held, notGranted: held }));
    expect(granted?.notGranted).toEqual(['legacy']);
    const last = await apply(grant('legacy'), target(['legacy']), link({ entitlements: ['legacy'], notGranted: ['legacy'] }));
    expect(last).toMatchObject({ entitlements: ['legacy'] });
    expect(Object.keys(last!)).not.toContain('notGranted');
  });

  it('a revoke takes its entitlement out of the record with the membership', async () => {
    const revoked = await apply(revoke('vpn'), target(['vpn', 'legacy']), link({ entitlements: ['vpn', 'legacy'], notGranted: ['vpn', 'legacy'] }));
    expect(revoked).toMatchObject({ entitlements: ['legacy'], notGranted: ['legacy'] });
  });

  it('a link without a record gets none from a grant or a revoke', async () => {
    for (const change of [grant('eng'), revoke('eng')]) {
      const next = await apply(change, target(['eng']), link({ entitlements: ['eng'] }));
      expect(Object.keys(next!)).not.toContain('notGranted');
    }
  });

  it('a create records what the account it made (or adopted) already held, and nothing when it held nothing', async () => {
    const adopted = await apply(create, target([], { accountId: 'a1', attributes: { username: 'ada' }, entitlements: ['legacy'], enabled: true }), undefined);
    expect(adopted).toMatchObject({ entitlements: ['legacy'], notGranted: ['legacy'] });
    const fresh = await apply(create, target([], { accountId: 'a1', attributes: { username: 'ada' }, entitlements: [], enabled: true }), undefined);
    expect(Object.keys(fresh!)).not.toContain('notGranted');
  });

  it('a create over a link records the memberships added by hand since, keeping earlier entries still held', async () => {
    const over = await apply(create, target(['eng', 'manual', 'old']), link({ entitlements: ['eng', 'old', 'gone'], notGranted: ['old', 'gone'] }));
    expect(over).toMatchObject({ entitlements: ['eng', 'manual', 'old'], notGranted: ['manual', 'old'] });
  });

  it('an enable keeps the record to what it gives back: a group gone from the target leaves it', async () => {
    // Disabled with its groups stripped; enabling grants them again, and `gone` no longer exists.
    const stripped = target([]);
    stripped.grant = async (_id, e) => { if (e === 'gone') throw new RosterError('target.not_found', 'no such group'); };
    const enable = job({ action: 'enable', before: { accountId: 'a1', enabled: false }, after: { accountId: 'a1', enabled: true }, reasons: ['return'] });
    const back = await apply(enable, stripped, link({ enabled: false, disabledAt: AT, entitlements: ['manual', 'gone', 'eng'], notGranted: ['manual', 'gone'] }));
    expect(back).toMatchObject({ enabled: true, entitlements: ['manual', 'eng'], notGranted: ['manual'] });
  });

  it('a grant on an account Roster had no link for (started from the target) records what it held, but the grant', async () => {
    const next = await apply(grant('eng'), target(['legacy']), undefined);
    expect(next).toMatchObject({ entitlements: ['legacy', 'eng'], notGranted: ['legacy'] });
  });
});
