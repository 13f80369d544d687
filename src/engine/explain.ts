import type { Connector } from '../connectors/types.js';
import { RosterError, toRosterError } from '../core/errors.js';
import type { AuditEntry, DesiredAccount, Identity } from '../core/types.js';
import { effectiveState } from '../lifecycle/index.js';
import type { Store } from '../store/types.js';
import { accountOrigin, originEntries } from './account-origin.js';
import { identityByKey } from './continued-keys.js';
import { effectiveTimeline } from './timeline.js';
import type { Explain } from './types.js';

/** How many of an identity's audit entries explain shows: the newest. */
export const EXPLAIN_AUDIT = 200;

/** What `explain` reads: the store, the targets' connectors, the clock, and policy's desired accounts of one identity. */
export interface ExplainContext {
  readonly store: Store;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly now: () => Date;
  readonly desiredFor: (identity: Identity, now: Date) => Promise<DesiredAccount[]>;
}

/**
 * Why the identity a key names (its id, or a key it was continued under:
 * fields.previousKey) is as it is; `audit`: its newest EXPLAIN_AUDIT
 * entries, oldest first (newest last, as the timeline).
 */
export async function explainIdentity(ctx: ExplainContext, key: string): Promise<Explain> {
  const { store } = ctx;
  const { identity, keys } = await identityByKey(store, key);
  if (!identity) throw new RosterError('identity.not_found', `no identity with id ${key}`);
  const now = ctx.now();
  const desired = await ctx.desiredFor(identity, now);
  const links = await store.accounts.listByIdentity(identity.id);
  const byTarget = new Map(links.map((l) => [l.target, l]));
  const history = links.length === 0 ? [] : await originEntries(store.audit, identity.id);
  return {
    identity, ...(keys.length === 0 ? {} : { keys }),
    effectiveState: effectiveState(identity, now),
    timeline: effectiveTimeline(await store.identities.events(identity.id), identity),
    accounts: await Promise.all(desired.map(async (d) => {
      const linked = byTarget.get(d.target);
      const effective = linked === undefined ? undefined : await effectiveOf(ctx.connectors.get(d.target), linked.accountId);
      const origin = accountOrigin(history, d.target, linked?.accountId);
      return { target: d.target, linked, desired: d, ...(origin === undefined ? {} : { origin }), ...(effective === undefined ? {} : { effective }) };
    })),
    audit: await recentAudit(store, identity.id),
  };
}

/** What a target whose groups nest says the account really gets; a failure to read it is shown, not thrown. */
async function effectiveOf(connector: Connector | undefined, accountId: string): Promise<{ entitlements: readonly string[] } | { error: string } | undefined> {
  if (connector?.effectiveEntitlements === undefined) return undefined;
  try {
    return { entitlements: await connector.effectiveEntitlements(accountId) };
  } catch (error) {
    return { error: toRosterError(error, 'target.unavailable').message };
  }
}

/** The identity's newest EXPLAIN_AUDIT audit entries (read newest first through the (identity, seq) index), in seq order. */
async function recentAudit(store: Store, identityId: string): Promise<AuditEntry[]> {
  const newest = await store.audit.list({ identity: identityId, order: 'desc', limit: EXPLAIN_AUDIT });
  return newest.reverse();
}
