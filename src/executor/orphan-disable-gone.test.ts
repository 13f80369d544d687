import { describe, expect, it } from 'vitest';
import { isRosterError, RosterError } from '../core/errors.js';
import type { Change, Job, TargetAccount } from '../core/types.js';
import type { Connector } from '../connectors/types.js';
import { orphanIdentity } from '../reconcile/orphans.js';
import type { Store } from '../store/types.js';
import { applyChange } from './apply-change.js';

/**
 * An orphan's disable that the target answers with target.not_found is
 * recorded as done (`gone: true`) only when the account is really gone: a
 * not-found about something else (the ldap connector's move to a disabled OU
 * that does not exist, before it said target.rejected) left the account
 * enabled while the audit said it was disabled.
 */
const NOW = new Date('2026-11-27T09:00:00.000Z');
const account: TargetAccount = { accountId: 'uuid-1', attributes: { username: 'stale' }, entitlements: [], enabled: true };

function orphanDisable(): Job {
  const change = {
    id: 'c1', target: 'app', identity: orphanIdentity('uuid-1'), action: 'disable', reasons: ['reconcile.orphan.disable'],
    before: { accountId: 'uuid-1', attributes: { username: 'stale' }, entitlements: [], enabled: true },
  } as unknown as Change;
  return {
    id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:orphan', seq: 1, status: 'running', attempts: 1,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), change,
  };
}

function target(held: TargetAccount | undefined): Connector {
  return {
    kind: 'fake', capabilities: { entitlements: false } as Connector['capabilities'],
    async check() {}, async *list() {},
    async get() { return held; },
    async create() { throw new Error('unused'); },
    async setEnabled() { throw new RosterError('target.not_found', 'no such object: ou=leavers,dc=example,dc=com'); },
    async update() {}, async delete() {}, async grant() {}, async revoke() {}, async close() {},
  };
}

const store = {
  accounts: { async get() { return undefined; }, async getByAccountId() { return undefined; } },
  queue: { async createsUnderWay() { return []; } },
} as unknown as Store;

describe('an orphan disable answered with not-found', () => {
  it('fails when the account is still there', async () => {
    const error = await applyChange(orphanDisable(), { store, connector: target(account), actor: 'test', now: () => NOW, accountKey: 'username' }).catch((e: unknown) => e);
    expect(isRosterError(error, 'target.not_found')).toBe(true);
    expect((error as Error).message).toContain('ou=leavers');
  });

  it('is done (gone) when the account is gone', async () => {
    const effects = await applyChange(orphanDisable(), { store, connector: target(undefined), actor: 'test', now: () => NOW, accountKey: 'username' });
    expect(effects.audit?.[0]?.data).toMatchObject({ action: 'disable', gone: true });
  });
});
