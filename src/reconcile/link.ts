import type { TargetConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { LinkedAccount, TargetAccount } from '../core/types.js';
import { uniqueAttributesOf } from '../policy/index.js';
import type { Store } from '../store/types.js';
import { adoptedNotGranted } from './not-granted.js';
import { memoAfterLink, memoKey, unlinkedKey, type ReconcileMemo, type UnlinkedAccounts } from './memo.js';

/**
 * An admin settles a dispute (or claims an orphan): link one account the last
 * reconcile pass found unlinked to an identity. Reads the store only: the
 * account is taken as that pass read it, and the next pass refreshes it.
 * The identity's held create is released (its dispute is settled) and the
 * account's name stops being held against joiners (its link holds it now).
 */
export async function linkAccount(input: {
  readonly store: Store;
  readonly target: TargetConfig;
  readonly identityId: string;
  readonly accountId: string;
  readonly actor: string;
  readonly now: Date;
}): Promise<LinkedAccount> {
  const { store, target, identityId, accountId } = input;
  if (await store.identities.get(identityId) === undefined) throw new RosterError('identity.not_found', `no identity with id ${identityId}`);
  const existing = await store.accounts.get(target.id, identityId);
  if (existing !== undefined) {
    throw new RosterError('store.conflict', `${identityId} is already linked to ${existing.accountId} in ${target.id}; one account per person and target`);
  }
  const snapshot = await store.state.get<UnlinkedAccounts>(unlinkedKey(target.id));
  const account = snapshot === undefined ? undefined : unlinkedAccount(snapshot.accounts, accountId);
  if (snapshot === undefined || account === undefined) {
    throw new RosterError('target.not_found',
      `${accountId} is not an unlinked account of the last reconcile of ${target.id}; run roster reconcile --target ${target.id} first`);
  }
  const holder = await store.accounts.getByAccountId(target.id, account.accountId);
  if (holder !== undefined) throw new RosterError('store.conflict', `${account.accountId} in ${target.id} is already linked to ${holder.identityId}`);

  const link = newLink(target.id, identityId, account, input.now.toISOString());
  await store.accounts.upsert(link);
  // Read-modify-writes, so two links made at once both land. A reconcile running meanwhile writes both
  // whole from what it read, which may still list the account: the next reconcile sees it linked.
  await store.state.update<ReconcileMemo>(memoKey(target.id), (memo) => (memo === undefined ? undefined : memoAfterLink(memo, account, identityId, uniqueAttributesOf(target))));
  await store.state.update<UnlinkedAccounts>(unlinkedKey(target.id), (current) => (current === undefined ? undefined
    : { at: current.at, accounts: current.accounts.filter((a) => a.accountId !== account.accountId) }));
  await store.audit.append([{
    kind: 'account.linked', actor: input.actor, identity: identityId, target: target.id, reasons: ['reconcile.linked_by_admin'], data: { accountId: account.accountId },
  }]);
  return link;
}

/**
 * A link to an account as the target holds it (its state is the link's actual
 * state). A reference (AD's manager) is kept in the object-id form the target
 * gives (`references`), the form Roster writes: kept as the DN read, the first
 * plan would rewrite every adopted account's manager. Roster did not create
 * the account, so no membership it holds was granted by Roster (notGranted).
 */
export function newLink(target: string, identityId: string, account: TargetAccount, at: string): LinkedAccount {
  return {
    target, identityId, accountId: account.accountId, attributes: { ...account.attributes, ...account.references }, entitlements: account.entitlements,
    enabled: account.enabled, createdAt: at, updatedAt: at, ...(account.enabled ? {} : { disabledAt: at }), ...adoptedNotGranted(account.entitlements),
  };
}

/**
 * The unlinked account an admin named: by its id as the pass reported it, else
 * (a GUID as Windows tools show it: upper case, in braces) by the same id
 * without braces in any case, when exactly one account has it.
 */
function unlinkedAccount(accounts: readonly TargetAccount[], accountId: string): TargetAccount | undefined {
  const exact = accounts.find((a) => a.accountId === accountId);
  if (exact !== undefined) return exact;
  const bare = /^\{.*\}$/.test(accountId.trim()) ? accountId.trim().slice(1, -1) : accountId.trim();
  const found = accounts.filter((a) => a.accountId.toLowerCase() === bare.toLowerCase());
  return found.length === 1 ? found[0] : undefined;
}
