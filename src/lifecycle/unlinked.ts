import type { SourceConfig } from '../config/types.js';
import type { Identity, SourceBatch, SourceRecord } from '../core/types.js';

/**
 * The records that clear the manager field of this source's people naming a
 * manager the batch reports unlinked (SourceBatch.unlinked: a user deleted
 * from Active Directory, whose `manager` link AD removed from each report
 * without the report's entry changing, so the source read no record for
 * them; or a person who left an `ldap` syncrepl source, whose reports slapd's
 * refint stripped or left naming a DN where nobody is: the reports still
 * naming them by DN are in the batch, sources/directory/sync-managers.ts). Each is the manager field alone, '' (laid over the stored
 * attributes as any delta record is): the report becomes a mover with no
 * manager, as the next full pass would read them. Done here, not in the
 * source, because the merge is what holds the stored identities: the source
 * reads the directory only, which no longer says who named the deleted user.
 *
 * Left out: people the batch has a record or a keyed problem for (`present`:
 * their own read says), people gone in this batch or gone before (a full
 * pass would not read them either), and identities of other sources.
 */
export function unlinkedReports(input: {
  readonly batch: SourceBatch;
  readonly existing: ReadonlyMap<string, Identity>;
  readonly source: SourceConfig;
  readonly present: { has(key: string): boolean };
}): SourceRecord[] {
  const { batch, source } = input;
  if (batch.unlinked === undefined || batch.unlinked.length === 0) return [];
  const unlinked = new Set(batch.unlinked);
  const gone = new Set(batch.gone ?? []);
  const field = source.fields.manager;
  const records: SourceRecord[] = [];
  for (const identity of input.existing.values()) {
    if (identity.sourceId !== source.id || identity.missingSince !== undefined || gone.has(identity.id) || input.present.has(identity.id)) continue;
    const manager = identity.attributes[field];
    if (typeof manager !== 'string' || !unlinked.has(manager)) continue;
    records.push({ key: identity.id, attributes: { [field]: '' }, ...(identity.sourceEntry === undefined ? {} : { entry: identity.sourceEntry }) });
  }
  return records;
}
