import type { SourceConfig } from '../../config/types.js';
import { RosterError } from '../../core/errors.js';
import type { SourceBatch } from '../../core/types.js';
import { incrementalFilter, nextCursor, parseCursor, withoutBoundary, type DirectoryCursor } from './cursor.js';
import { dnKey, entriesToBatch, holdersByKey, holdersFilter, keyChunks, keysByDn, needsHolderCheck, unresolvedManagers } from './mapping.js';
import { DirectoryReader } from './search.js';
import { DEFAULT_FILTERS, mappingRules, requestedAttributes } from './settings.js';

export type PassMode = 'full' | 'incremental';

export interface DirectoryRead {
  readonly batch: SourceBatch;
  /** The cursor to store once the batch is ingested. */
  readonly cursor: DirectoryCursor | undefined;
  /** What the pass was: an incremental pass without a usable cursor is a full one. */
  readonly mode: PassMode;
}

/**
 * One pass over an ldap / ad source. Full: every entry under the base that
 * matches the filter, a complete batch (unless the source says
 * `complete: false`). Incremental: only the entries changed since `previous`
 * (uSNChanged for AD, modifyTimestamp for OpenLDAP), an incomplete batch;
 * the directory is asked who else holds those entries' keys, and an entry
 * whose key another entry also holds is a problem, not a record (a full pass
 * sees that in its own entries). Deletions are seen by full passes only.
 */
export async function readDirectorySource(source: SourceConfig, options: {
  readonly mode: PassMode;
  readonly previous: unknown;
  readonly baseDir: string;
}): Promise<DirectoryRead> {
  const rules = mappingRules(source);
  if (source.connection === undefined) throw new RosterError('config.invalid', `source "${source.id}" has no connection`);
  const filter = source.connection.filter ?? DEFAULT_FILTERS[rules.kind];
  const reader = new DirectoryReader(source.id, source.connection, options.baseDir);
  try {
    const root = rules.kind === 'ad' ? await reader.rootDse() : {};
    let previous = options.mode === 'incremental' ? parseCursor(options.previous, rules.kind) : undefined;
    if (previous?.kind === 'usn' && previous.server !== root.dsServiceName) previous = undefined;
    const started = performance.now();
    const found = await reader.search(previous === undefined ? filter : incrementalFilter(filter, previous), requestedAttributes(rules));
    const durationMs = performance.now() - started;
    const entries = previous === undefined ? found : withoutBoundary(found, previous);
    let holders: Map<string, string[]> | undefined;
    if (previous !== undefined && needsHolderCheck(rules.key)) {
      holders = new Map();
      for (const keys of keyChunks(entries, rules.key)) {
        for (const [key, dns] of holdersByKey(await reader.search(holdersFilter(filter, rules.key, keys), [rules.key]), rules.key)) {
          holders.set(key, [...(holders.get(key) ?? []), ...dns]);
        }
      }
    }
    const managers = keysByDn(entries, rules.key);
    for (const dn of unresolvedManagers(entries, rules, managers)) {
      const key = await reader.valueAt(dn, rules.key);
      const normalised = dnKey(dn);
      if (key !== undefined && normalised !== undefined) managers.set(normalised, key);
    }
    const complete = previous === undefined ? source.complete : false;
    return {
      batch: entriesToBatch(entries, rules, managers, complete, holders),
      cursor: nextCursor({ kind: rules.kind, entries: found, previous, rootUsn: root.highestCommittedUSN, server: root.dsServiceName, durationMs }),
      mode: previous === undefined ? 'full' : 'incremental',
    };
  } finally {
    await reader.close();
  }
}
