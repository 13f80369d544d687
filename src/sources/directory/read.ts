import type { SourceConfig } from '../../config/types.js';
import type { Logger } from '../../connectors/types.js';
import { RosterError } from '../../core/errors.js';
import type { SourceBatch } from '../../core/types.js';
import { directoryBatch } from './batch.js';
import { incrementalFilter, nextCursor, parseCursor, withoutBoundary, type DirectoryCursor } from './cursor.js';
import { DirectoryReader } from './search.js';
import { DEFAULT_FILTERS, mappingRules, requestedAttributes } from './settings.js';
import { readSyncPass, type SyncCursor } from './sync.js';

export type PassMode = 'full' | 'incremental';

export interface DirectoryRead {
  readonly batch: SourceBatch;
  /** The cursor to store once the batch is ingested. */
  readonly cursor: DirectoryCursor | SyncCursor | undefined;
  /** What the pass was: an incremental pass without a usable cursor is a full one. */
  readonly mode: PassMode;
}

/**
 * One pass over an ldap / ad source. Full: every entry under the base that
 * matches the filter, a complete batch (unless the source says
 * `complete: false`). Incremental: only the entries changed since `previous`
 * (uSNChanged for AD, modifyTimestamp for OpenLDAP), an incomplete batch
 * (see directoryBatch). Deletions are seen by full passes only, except with
 * `changes: syncrepl` (sync.ts), whose incremental passes report them too.
 */
export async function readDirectorySource(source: SourceConfig, options: {
  readonly mode: PassMode;
  readonly previous: unknown;
  readonly baseDir: string;
  /** Where a syncrepl pass says it had to refresh in full. */
  readonly log?: Pick<Logger, 'warn'>;
}): Promise<DirectoryRead> {
  const rules = mappingRules(source);
  if (source.connection === undefined) throw new RosterError('config.invalid', `source "${source.id}" has no connection`);
  const filter = source.connection.filter ?? DEFAULT_FILTERS[rules.kind];
  const reader = new DirectoryReader(source.id, source.connection, options.baseDir);
  try {
    if (rules.kind === 'ldap' && source.changes === 'syncrepl') {
      return await readSyncPass(reader, { source, rules, filter, mode: options.mode, previous: options.previous, log: options.log });
    }
    const root = rules.kind === 'ad' ? await reader.rootDse() : {};
    let previous = options.mode === 'incremental' ? parseCursor(options.previous, rules.kind) : undefined;
    if (previous?.kind === 'usn' && previous.server !== root.dsServiceName) previous = undefined;
    const started = performance.now();
    const found = await reader.search(previous === undefined ? filter : incrementalFilter(filter, previous), requestedAttributes(rules));
    const durationMs = performance.now() - started;
    const entries = previous === undefined ? found : withoutBoundary(found, previous);
    const complete = previous === undefined ? source.complete : false;
    return {
      batch: await directoryBatch(reader, { rules, filter, entries, complete, delta: previous !== undefined }),
      cursor: nextCursor({ kind: rules.kind, entries: found, previous, rootUsn: root.highestCommittedUSN, server: root.dsServiceName, durationMs }),
      mode: previous === undefined ? 'full' : 'incremental',
    };
  } finally {
    await reader.close();
  }
}
