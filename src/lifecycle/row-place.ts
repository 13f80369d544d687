import type { SourceConfig } from '../config/types.js';

/**
 * Whether a source's rows are directory entries (`ldap`, `ad`). An entry's
 * `line` is only where it came in the server's answer, meaningless to the
 * admin: a message names the entry by its key (its problems name the DN too),
 * and `line` stays in JSON output only (cli/plan-format.ts does the same).
 */
export function readsEntries(source: Pick<SourceConfig, 'type'>): boolean {
  return source.type === 'ldap' || source.type === 'ad';
}

/** Where a source's row is, for a message: "hr line 27" for a file's row, "corp E1128" (its key) for a directory entry. */
export function rowPlace(source: Pick<SourceConfig, 'id' | 'type'>, row: { readonly key?: string; readonly line?: number | undefined }): string {
  if (readsEntries(source)) return row.key === undefined || row.key === '' ? `${source.id} entry` : `${source.id} ${row.key}`;
  return `${source.id} line ${row.line ?? '?'}`;
}
