import type { SourceConfig, LifecycleConfig } from '../config/types.js';
import type { Identity, IdentityKey, SourceBatch } from '../core/types.js';
import { continueKeys, previousKeyOf, type ContinuedKeys } from '../lifecycle/continued.js';
import { followsKeyChanges } from '../lifecycle/rekeyed.js';
import { foldKey } from '../lifecycle/respelled.js';
import type { Store } from '../store/types.js';
import { respelledKeys, type RespelledBatch } from './respelled-keys.js';

export interface ContinuedBatch {
  /** What continueKeys made of the batch (its `batch` is the one to merge), for the merge. */
  readonly continuation: ContinuedKeys;
  /** The stored identities to merge with: those engine.ts read, plus those a delta's keys and previous keys name. */
  readonly existing: readonly Identity[];
}

/**
 * Before a batch is merged: its keys resolved through the stored identity keys
 * (a person continued under a new key, lifecycle/continued.ts), and the
 * continuations its previous keys ask for. A snapshot (or a delta reporting
 * people gone) was read with all of its source's identities: the source's key
 * rows are read too, from the index (none for almost everyone). Any other
 * delta (a push, a SCIM write) reads the rows of its keys and previous keys,
 * and the identities they name.
 */
export async function continuedKeys(
  store: Store, source: SourceConfig, lifecycle: LifecycleConfig, batch: SourceBatch, existing: readonly Identity[], now: Date,
): Promise<ContinuedBatch> {
  const holdsSource = batch.complete || batch.gone !== undefined;
  let known = existing;
  let rows: IdentityKey[];
  if (holdsSource) {
    rows = await store.identities.listKeys({ sourceId: source.id });
    // A new key with a previous key may be a key of another source's person (continued there): read so, it is refused.
    const have = new Set([...rows.map((k) => k.key), ...existing.map((i) => i.id)]);
    const fresh = batch.records.filter((r) => !have.has(r.key) && previousKeyOf(r, source) !== '').map((r) => r.key);
    if (fresh.length > 0) rows = [...rows, ...await store.identities.listKeys({ keys: fresh })];
  } else {
    const previous = batch.records.map((r) => previousKeyOf(r, source)).filter((k) => k !== '');
    const named = [...batch.records.map((r) => r.key), ...previous, ...batch.problems.flatMap((p) => (p.key === undefined ? [] : [p.key]))];
    rows = named.length === 0 ? [] : await store.identities.listKeys({ keys: named });
    const ids = new Set(existing.map((i) => i.id));
    rows = [...rows, ...await respelledRows(store, source, batch, rows, ids)];
    const wanted = [...new Set([...rows.map((k) => k.identityId), ...previous])].filter((id) => !ids.has(id));
    if (wanted.length > 0) known = [...existing, ...await store.identities.getMany(wanted)];
    const followed = await entryOwners(store, source, batch, rows, known);
    if (followed.length > 0) {
      known = [...known, ...followed];
      rows = [...rows, ...await store.identities.listKeys({ identityIds: followed.map((i) => i.id) })];
    }
    if (rows.length > 0) rows = [...rows, ...await currentKeys(store, rows)];
  }
  const continuation = continueKeys({
    batch, existing: new Map(known.map((i) => [i.id, i])), keys: new Map(rows.map((k) => [k.key, k])), source, lifecycle, now,
  });
  return { continuation, existing: known };
}

/**
 * A delta's records under a key no stored person has, read from a directory
 * entry (lifecycle/rekeyed.ts): the source's identities stored with one of
 * those entries, not read yet (a key change an incremental pass reads). Read
 * only when such a record is in the batch (a joiner, or a key changed).
 */
async function entryOwners(
  store: Store, source: SourceConfig, batch: SourceBatch, rows: readonly IdentityKey[], known: readonly Identity[],
): Promise<Identity[]> {
  if (!followsKeyChanges(source)) return [];
  const have = new Set([...rows.map((k) => k.key), ...known.map((i) => i.id)]);
  const entries = new Set(batch.records.flatMap((r) => (r.entry === undefined || have.has(r.key) ? [] : [r.entry])));
  if (entries.size === 0) return [];
  const ids = new Set(known.map((i) => i.id));
  return (await store.identities.listByEntries({ sourceId: source.id, entries: [...entries] })).filter((i) => !ids.has(i.id));
}

/**
 * The batch with its keys resolved, to merge: continued keys first (a key
 * continued under a new one is exact from then on), then keys respelled in
 * letter case or Unicode form (engine/respelled-keys.ts).
 */
export async function resolvedKeys(
  store: Store, source: SourceConfig, lifecycle: LifecycleConfig, batch: SourceBatch, existing: readonly Identity[], now: Date,
): Promise<RespelledBatch & { readonly continuation: ContinuedKeys }> {
  const { continuation, existing: read } = await continuedKeys(store, source, lifecycle, batch, existing, now);
  return { ...await respelledKeys(store, continuation.batch, read), continuation };
}

/**
 * The source's key rows a delta's record or problem key names in another
 * letter case or Unicode form (continued.ts keyLookup), when one names no
 * identity and no key row exactly: the source's rows (few: only continued
 * people have any), folded.
 */
async function respelledRows(
  store: Store, source: SourceConfig, batch: SourceBatch, rows: readonly IdentityKey[], ids: ReadonlySet<string>,
): Promise<IdentityKey[]> {
  const have = new Set(rows.map((k) => k.key));
  const keys = [...batch.records.map((r) => r.key), ...batch.problems.flatMap((p) => (p.key === undefined || p.key === '' ? [] : [p.key]))];
  const unmatched = new Set(keys.filter((k) => !have.has(k) && !ids.has(k)).map(foldKey));
  if (unmatched.size === 0) return [];
  return (await store.identities.listKeys({ sourceId: source.id })).filter((k) => !have.has(k.key) && unmatched.has(foldKey(k.key)));
}

/** The other key rows of the identities some rows name (their current key, to tell a former key's row what it was continued as). */
async function currentKeys(store: Store, rows: readonly IdentityKey[]): Promise<IdentityKey[]> {
  const have = new Set(rows.map((k) => k.key));
  const more = await store.identities.listKeys({ identityIds: [...new Set(rows.map((k) => k.identityId))] });
  return more.filter((k) => !have.has(k.key));
}

/** The identity a key names: by id, else through a stored identity key (a current or a former one); with all its key rows. */
export async function identityByKey(store: Store, key: string): Promise<{ identity: Identity | undefined; keys: IdentityKey[] }> {
  let identity = await store.identities.get(key);
  if (identity === undefined) {
    const [row] = await store.identities.listKeys({ keys: [key] });
    if (row !== undefined) identity = await store.identities.get(row.identityId);
  }
  const keys = identity === undefined ? [] : await store.identities.listKeys({ identityIds: [identity.id] });
  return { identity, keys };
}

/** The id of the identity a key names (its id, or a key it was continued under); the key itself when none does. */
export async function identityIdOf(store: Store, key: string): Promise<string> {
  if (await store.identities.get(key) !== undefined) return key;
  const [row] = await store.identities.listKeys({ keys: [key] });
  return row?.identityId ?? key;
}
