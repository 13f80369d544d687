import type { Identity, SourceBatch } from '../core/types.js';
import type { MergeResult } from '../lifecycle/merge.js';
import { foldKey, respellKeys, unmatchedRecords } from '../lifecycle/respelled.js';
import type { Store } from '../store/types.js';

export interface RespelledBatch {
  /** The batch to merge: respelled keys replaced by their stored identity's id (lifecycle/respelled.ts). */
  readonly batch: SourceBatch;
  /** The stored identities to merge with, by id: those engine.ts read, plus any a delta's respelled key was taken as. */
  readonly existing: ReadonlyMap<string, Identity>;
  /** The merge result with the `source.key_respelled` diagnostics first. */
  readonly note: (merged: MergeResult) => MergeResult;
}

/**
 * Before a batch is merged: its records whose key is a stored identity's id of
 * the same source written in another letter case or Unicode form are taken as
 * that identity (lifecycle/respelled.ts). `existing`: what engine.ts #existing
 * read. A snapshot, or a delta that reports people gone, was read with all of
 * its source's identities, so no more is read. Any other delta (a push, a SCIM
 * write, an incremental directory pass) was read by its keys: only when one of
 * them matches nobody exactly (a new person, or a respelled key) are the
 * source's ids read (ids only, from the index), once for the whole batch, and
 * the identities whose id folds to one of those keys then read whole.
 */
export async function respelledKeys(store: Store, batch: SourceBatch, existing: readonly Identity[]): Promise<RespelledBatch> {
  const known = new Map(existing.map((i) => [i.id, i]));
  const unchanged = { batch, existing: known, note: (merged: MergeResult) => merged };
  const holdsSource = batch.complete || batch.gone !== undefined;
  if (!holdsSource && unmatchedRecords(batch, known).length === 0) return unchanged;
  const stored = holdsSource ? existing : await foldedMatches(store, batch, known);
  const respelling = respellKeys({ batch, existing: known, stored });
  if (respelling.batch === batch && respelling.diagnostics.length === 0) return unchanged;
  for (const identity of respelling.matched) known.set(identity.id, identity);
  return {
    batch: respelling.batch,
    existing: known,
    note: (merged) => (respelling.diagnostics.length === 0 ? merged : { ...merged, diagnostics: [...respelling.diagnostics, ...merged.diagnostics] }),
  };
}

/** The source's identities whose id folds to the key of a record that matches nobody exactly (a delta's). */
async function foldedMatches(store: Store, batch: SourceBatch, known: ReadonlyMap<string, Identity>): Promise<Identity[]> {
  const wanted = new Set(unmatchedRecords(batch, known).map((r) => foldKey(r.key)));
  const ids = (await store.identities.listIds({ sourceId: batch.sourceId })).filter((id) => wanted.has(foldKey(id)));
  return ids.length === 0 ? [] : store.identities.getMany(ids);
}
