import type { Diagnostic, Identity, SourceBatch, SourceProblem, SourceRecord } from '../core/types.js';

/**
 * A source key written another way than the stored identity's: another letter
 * case (`e5` for `E5`) or another Unicode normalisation form (a decomposed
 * `José`, NFD, for the composed one, NFC). A directory compares such keys as
 * equal (employeeNumber and employeeID match with caseIgnoreMatch), and in an
 * HR file it is almost always a slip: the person is the same.
 */
export const KEY_RESPELLED = 'source.key_respelled';

/**
 * The form two spellings of one key share: NFC, then `toLowerCase` (a
 * locale-independent lowering of the whole of Unicode; no full case folding,
 * so `ß` and `SS` stay apart). A directory's caseIgnoreMatch folds more than
 * this, never less, for the keys HR systems write.
 */
export function foldKey(key: string): string {
  return key.normalize('NFC').toLowerCase();
}

/** What a `source.key_respelled` diagnostic names, beside its message. */
export interface RespelledDiagnostic extends Diagnostic {
  readonly code: typeof KEY_RESPELLED;
  readonly source: string;
  /** The spelling in the batch. */
  readonly key: string;
  /** The stored identity it was taken as (its id keeps this spelling); absent when ambiguous. */
  readonly storedKey?: string;
  /** Ambiguous: the stored identities the key folds to (none is taken). */
  readonly storedKeys?: readonly string[];
  /** The record's line (file sources, push batches), when it has one. */
  readonly line?: number;
}

export interface Respelling {
  /** The batch with each respelled record keyed by its stored identity's id (the same object when none is). */
  readonly batch: SourceBatch;
  /** The stored identities records were taken as (for a delta, to add to the identities the merge knows). */
  readonly matched: readonly Identity[];
  readonly diagnostics: readonly RespelledDiagnostic[];
}

/** The records whose key is no stored identity's id, exactly: only they are looked up by their folded key. */
export function unmatchedRecords(batch: SourceBatch, existing: ReadonlyMap<string, Identity>): SourceRecord[] {
  return batch.records.filter((r) => !existing.has(r.key));
}

/**
 * Takes each record whose key matches no stored identity exactly as the one
 * stored identity of the same source whose id folds (foldKey) to the same
 * text, when that is certain:
 * - exactly one identity of the batch's source folds to it (two stored ones
 *   that fold alike, `E5` and `e5`, are never merged: the record stays as it
 *   is, with a warning that it is ambiguous);
 * - no record or problem row of the batch has that identity's id exactly
 *   (then that row is the person, and this one stays as it is);
 * - no other spelling in the batch is taken as the same identity (two
 *   respellings of one key stay as they are, with the ambiguity warning).
 * Keys of other sources never match. A key the batch reports gone is taken
 * as the one stored identity it folds to, too (respelledGone). Pure: `existing` holds the identities
 * the exact keys were looked up in, `stored` every identity of the source
 * (engine/respelled-keys.ts reads them).
 */
export function respellKeys(input: {
  readonly batch: SourceBatch;
  readonly existing: ReadonlyMap<string, Identity>;
  readonly stored: Iterable<Identity>;
}): Respelling {
  const { batch, existing } = input;
  const unmatched = unmatchedRecords(batch, existing);
  const goneUnmatched = (batch.gone ?? []).filter((k) => !existing.has(k));
  const problemsUnmatched = batch.problems.flatMap((p) => (p.key === undefined || p.key === '' || existing.has(p.key) ? [] : [p.key]));
  if (unmatched.length === 0 && goneUnmatched.length === 0 && problemsUnmatched.length === 0) return { batch, matched: [], diagnostics: [] };
  // The source's stored people first: a first load has none, and its every key would be folded for nothing.
  const mine: Identity[] = [];
  for (const identity of input.stored) if (identity.sourceId === batch.sourceId) mine.push(identity);
  if (mine.length === 0) return { batch, matched: [], diagnostics: [] };
  const wanted = new Set([...unmatched.map((r) => r.key), ...goneUnmatched, ...problemsUnmatched].map(foldKey));
  const byFolded = new Map<string, Identity[]>();
  for (const identity of mine) {
    const folded = foldKey(identity.id);
    if (!wanted.has(folded)) continue;
    const same = byFolded.get(folded);
    if (same === undefined) byFolded.set(folded, [identity]);
    else if (!same.some((i) => i.id === identity.id)) same.push(identity);
  }
  if (byFolded.size === 0) return { batch, matched: [], diagnostics: [] };

  const exact = new Set<string>(batch.records.map((r) => r.key));
  for (const problem of batch.problems) if (problem.key !== undefined && problem.key !== '') exact.add(problem.key);
  const diagnostics: RespelledDiagnostic[] = [];
  /** Stored id -> the spellings taken as it, each with its last record. */
  const spellings = new Map<string, { readonly identity: Identity; readonly keys: Map<string, Row> }>();
  const warned = new Set<string>();
  for (const record of unmatched) {
    const same = byFolded.get(foldKey(record.key));
    if (same === undefined) continue;
    if (same.length > 1) {
      if (!warned.has(record.key)) diagnostics.push(ambiguous(batch.sourceId, record.key, record, same.map((i) => i.id)));
      warned.add(record.key);
      continue;
    }
    const identity = same[0]!;
    if (identity.id === record.key) continue;
    if (otherEntry(record.entry, identity)) {
      // Another directory entry than the person's: a new person whose key looks like theirs, never a respelling.
      if (!warned.has(record.key)) diagnostics.push(fromOtherEntry(batch.sourceId, record.key, record, identity.id));
      warned.add(record.key);
      continue;
    }
    if (exact.has(identity.id)) {
      // Another row of the read has the stored key exactly: that row is the person; this one is read as a key of its own, and said.
      if (!warned.has(record.key)) diagnostics.push(ambiguous(batch.sourceId, record.key, record, [identity.id]));
      warned.add(record.key);
      continue;
    }
    const taken = spellings.get(identity.id) ?? { identity, keys: new Map<string, Row>() };
    taken.keys.set(record.key, record);
    spellings.set(identity.id, taken);
  }

  const rekey = new Map<string, string>();
  const matched: Identity[] = [];
  for (const { identity, keys } of spellings.values()) {
    if (keys.size > 1) {
      for (const [key, row] of keys) diagnostics.push(ambiguous(batch.sourceId, key, row, [identity.id]));
      continue;
    }
    const [key, row] = [...keys][0]!;
    rekey.set(key, identity.id);
    matched.push(identity);
    diagnostics.push(respelled(batch.sourceId, key, row, identity.id));
  }
  const gone = respelledGone(goneUnmatched, byFolded, batch.goneEntries ?? {});
  const problemKeys = new Set(problemsUnmatched);
  const named = respelledProblems(batch.problems.filter((p) => p.key !== undefined && problemKeys.has(p.key)), byFolded, exact);
  if (rekey.size === 0 && gone.size === 0 && named.size === 0) return { batch, matched, diagnostics };
  const records = rekey.size === 0 ? batch.records : batch.records.map((r) => {
    const id = rekey.get(r.key);
    return id === undefined ? r : { ...r, key: id };
  });
  const goneKeys = gone.size === 0 ? {} : { gone: batch.gone!.map((k) => gone.get(k) ?? k) };
  const problems = named.size === 0 ? batch.problems : batch.problems.map((p) => {
    const id = p.key === undefined ? undefined : named.get(p.key);
    return id === undefined ? p : { ...p, key: id };
  });
  return { batch: { ...batch, records, problems, ...goneKeys }, matched, diagnostics };
}

/**
 * Whether a record or problem row of a directory entry (`entry`) is not the
 * stored identity's entry: then its key, respelled or not, is not that
 * person's (a former employee's key typed in another case on a newcomer's
 * entry must not hand the newcomer their accounts). Rows without an entry
 * (files, pushes, SCIM) and identities stored without one (before Roster kept
 * it: their next read stores it) are compared by key alone.
 */
function otherEntry(entry: string | undefined, identity: Identity): boolean {
  return entry !== undefined && identity.sourceEntry !== undefined && entry !== identity.sourceEntry;
}

/**
 * The keys of rows the batch turned down (a bad date, a duplicate) that are
 * one stored identity's id respelled, and that identity is named by no row
 * exactly: the row names that person, who is not missing (a typo never makes a
 * leaver). Nothing else is read from such a row. A row of another directory
 * entry than the person's names nobody (otherEntry).
 */
function respelledProblems(
  problems: readonly SourceProblem[], byFolded: ReadonlyMap<string, readonly Identity[]>, exact: ReadonlySet<string>,
): Map<string, string> {
  const named = new Map<string, string>();
  const refused = new Set<string>();
  for (const { key, entry } of problems) {
    if (key === undefined) continue;
    const same = byFolded.get(foldKey(key));
    if (same?.length !== 1 || exact.has(same[0]!.id)) continue;
    if (otherEntry(entry, same[0]!)) refused.add(key);
    else named.set(key, same[0]!.id);
  }
  for (const key of refused) named.delete(key);
  return named;
}

/**
 * The keys a delta reports gone (`batch.gone`: an `ad` or syncrepl cursor
 * remembers each entry's key as the directory last wrote it, respelled or
 * not) that are one stored identity's id respelled: that identity is the one
 * gone (under maxMissing, as any; a key the batch also has is not gone),
 * unless the batch names another entry than theirs as the key's holder
 * (`batch.goneEntries`, otherEntry).
 */
function respelledGone(
  keys: readonly string[], byFolded: ReadonlyMap<string, readonly Identity[]>, entries: Readonly<Record<string, string>>,
): Map<string, string> {
  const gone = new Map<string, string>();
  for (const key of keys) {
    const same = byFolded.get(foldKey(key));
    // Another entry's key gone (a newcomer's `e7` deleted): the person who holds `E7` on their own entry is not.
    if (same?.length === 1 && !otherEntry(Object.hasOwn(entries, key) ? entries[key] : undefined, same[0]!)) gone.set(key, same[0]!.id);
  }
  return gone;
}

/** Shown in messages: the key as written, and its code points when another normalisation form makes it look alike. */
function shown(key: string): string {
  return key === key.normalize('NFC') ? `"${key}"` : `"${key}" (${key.normalize('NFC')} written decomposed, NFD)`;
}

/** Where a record came from, as messages need it: its line, and whether it is a directory entry (`entry` set). */
interface Row {
  readonly line?: number | undefined;
  readonly entry?: string | undefined;
}

/** A file's row by its line; a directory entry by its key alone (its line is only where it came in the server's answer; JSON keeps it). */
function at(row: Row): string {
  return row.line === undefined || row.entry !== undefined ? '' : ` (line ${row.line})`;
}

const lineOf = (row: Row): { line?: number } => (row.line === undefined ? {} : { line: row.line });

function respelled(source: string, key: string, row: Row, storedKey: string): RespelledDiagnostic {
  return {
    severity: 'warning', code: KEY_RESPELLED, identity: storedKey, source, key, storedKey, ...lineOf(row),
    message: `${source}: key ${shown(key)}${at(row)} is stored as "${storedKey}" (it differs only in letter case or Unicode form); `
      + `taken as the same person, whose id stays "${storedKey}". Correct the key in the source to stop this warning`,
  };
}

function fromOtherEntry(source: string, key: string, row: Row, storedKey: string): RespelledDiagnostic {
  return {
    severity: 'warning', code: KEY_RESPELLED, identity: key, source, key, storedKeys: [storedKey], ...lineOf(row),
    message: `${source}: key ${shown(key)}${at(row)} differs from the stored key "${storedKey}" only in letter case or Unicode form, `
      + `but is read from another directory entry than "${storedKey}" was; it is read as a key of its own (a new person)`,
  };
}

function ambiguous(source: string, key: string, row: Row, storedKeys: readonly string[]): RespelledDiagnostic {
  const stored = storedKeys.map((k) => `"${k}"`).join(', ');
  const why = storedKeys.length > 1
    ? `matches ${storedKeys.length} stored keys (${stored}) when letter case and Unicode form are ignored`
    : `and another spelling in this batch both match the stored key ${stored} when letter case and Unicode form are ignored`;
  return {
    severity: 'warning', code: KEY_RESPELLED, identity: key, source, key, storedKeys, ...lineOf(row),
    message: `${source}: key ${shown(key)}${at(row)} ${why}; it is ambiguous, so the row is read as a key of its own (a new person)`,
  };
}
