import type { MissingSecret, RosterConfig, TargetConfig } from '../config/types.js';
import type { Connector } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import type { Plan } from '../core/types.js';
import type { Store } from '../store/types.js';

/**
 * Commands need only the secrets of the connections they open.
 *
 * The engine loads roster.yaml with `deferConnectionSecrets`: an unset
 * `${env:…}` (or unreadable `${file:…}`) in a source's or target's
 * `connection:` leaves the file valid and is listed in
 * `config.missingSecrets` (config/deferred.ts). Such a target gets
 * `unavailableConnector` instead of its real connector (the placeholder
 * never reaches a directory or a database), and each engine operation that
 * opens a connection asks `requireSecrets` first, so the command fails at that
 * moment, before it changes anything, with the variables it lacks. Messages
 * name variables, files, sources and targets: never a value.
 */

export type Owner = MissingSecret['owner'];

/** What `owners` lack, in configuration order. */
export function missingFor(config: RosterConfig, owners: readonly Owner[] | 'all'): MissingSecret[] {
  const missing = config.missingSecrets ?? [];
  if (owners === 'all') return [...missing];
  return missing.filter((m) => owners.some((o) => o.kind === m.owner.kind && o.id === m.owner.id));
}

/**
 * The error for what is missing, on one line: "target corp-ldap cannot be
 * opened: environment variable LDAP_PASSWORD is not set (roster.yaml:23:17,
 * targets[1].connection.password)", each source or target in turn.
 */
export function missingSecretsError(missing: readonly MissingSecret[], doing?: string): RosterError {
  const byOwner = new Map<string, MissingSecret[]>();
  for (const m of missing) {
    const owner = `${m.owner.kind} ${m.owner.id}`;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), m]);
  }
  const parts = [...byOwner].map(([owner, list]) => `${owner} cannot be opened: ${list.map((m) => `${m.message} (${m.at}, ${m.path})`).join(', ')}`);
  return new RosterError('config.invalid', `${doing === undefined ? '' : `${doing}: `}${parts.join('; ')}`, {
    details: { missingSecrets: missing.map((m) => ({ owner: m.owner, reference: m.reference, path: m.path, at: m.at })) },
  });
}

/** Throw when any of `owners` has a missing secret. */
export function requireSecrets(config: RosterConfig, owners: readonly Owner[] | 'all', doing?: string): void {
  const missing = missingFor(config, owners);
  if (missing.length > 0) throw missingSecretsError(missing, doing);
}

export const targets = (ids: Iterable<string>): Owner[] => [...new Set(ids)].map((id) => ({ kind: 'target', id }));
export const sources = (ids: Iterable<string>): Owner[] => [...new Set(ids)].map((id) => ({ kind: 'source', id }));

/** Before a sync: every source it reads and every target it may change (all, or `target`), before it reads any. */
export function requireSyncSecrets(config: RosterConfig, target: string | undefined): void {
  const reads = config.sources.filter((s) => s.type !== 'push').map((s) => s.id);
  requireSecrets(config, [...sources(reads), ...targets(target === undefined ? config.targets.map((t) => t.id) : [target])], 'cannot sync');
}

/**
 * Before applying a plan: the targets it changes, and those whose earlier
 * changes are still queued (the executor's claims take any plan's runnable
 * jobs), must have their secrets.
 */
export async function requireApplySecrets(config: RosterConfig, store: Store, plan: Plan): Promise<void> {
  if ((config.missingSecrets ?? []).length === 0) return;
  const touched = new Set(plan.changes.map((c) => c.target));
  const waiting = new Map<string, number>();
  for (const id of new Set(missingFor(config, 'all').filter((m) => m.owner.kind === 'target').map((m) => m.owner.id))) {
    if (touched.has(id)) continue;
    const queued = await store.queue.stats({ target: id });
    if (queued.pending + queued.running > 0) waiting.set(id, queued.pending + queued.running);
  }
  // The run takes every target's queued changes, not only this plan's: say so when that is why a target is needed.
  const why = waiting.size === 0 ? ''
    : `; the run would also carry out the changes earlier plans queued for ${[...waiting].map(([id, count]) => `${id} (${count})`).join(', ')}`;
  requireSecrets(config, targets([...touched, ...waiting.keys()]), `cannot apply plan ${plan.id}${why}`);
}

/** Target kinds whose connector reads nested groups (`effectiveEntitlements`, shown by `roster explain`). */
const NESTED_GROUP_KINDS: ReadonlySet<string> = new Set(['ad']);

/**
 * Stands in for the connector of a target whose secrets are missing: every
 * operation fails with the error naming them (`status --check` shows it as
 * the target's check; `explain` as the nested groups it could not read).
 * Engine operations that would write or read the target refuse earlier
 * (requireSecrets), so no job ever runs against it.
 */
export function unavailableConnector(target: Pick<TargetConfig, 'id' | 'type'>, missing: readonly MissingSecret[]): Connector {
  const fail = (): Promise<never> => Promise.reject(missingSecretsError(missing));
  const connector: Connector = {
    kind: target.type,
    capabilities: { entitlements: false, disable: false, delete: false },
    check: fail,
    // eslint-disable-next-line require-yield
    list: async function* () {
      throw missingSecretsError(missing);
    },
    get: fail,
    create: fail,
    update: fail,
    setEnabled: fail,
    delete: fail,
    grant: fail,
    revoke: fail,
    close: async () => {},
  };
  return NESTED_GROUP_KINDS.has(target.type) ? { ...connector, effectiveEntitlements: fail } : connector;
}
