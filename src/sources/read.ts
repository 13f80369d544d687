import type { SourceConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import type { StateStore } from '../store/types.js';
import { readDirectorySource, type PassMode } from './directory/read.js';
import { isDirectorySource } from './directory/settings.js';
import { readFileSource } from './file.js';

/** The state-store key of a source's cursor. */
export function sourceCursorKey(sourceId: string): string {
  return `cursor:source:${sourceId}`;
}

export interface SourceRead {
  readonly batch: SourceBatch;
  /** Store this under sourceCursorKey(id) once the batch is ingested (undefined: nothing to store). */
  readonly cursor?: unknown;
  readonly mode: PassMode;
}

/**
 * Read a source once, whatever its type: csv / json files (always a full
 * read), ldap / ad directories (full, or incremental from the stored cursor;
 * `mode` defaults to full). Push sources cannot be read.
 */
export async function readSource(source: SourceConfig, context: {
  readonly state: Pick<StateStore, 'get'>;
  readonly baseDir: string;
  readonly mode?: PassMode;
}): Promise<SourceRead> {
  if (source.type === 'push') {
    throw new RosterError('request.invalid', `source ${source.id} is a push source: records arrive over HTTP`);
  }
  if (!isDirectorySource(source)) return { batch: await readFileSource(source), mode: 'full' };
  const mode = context.mode ?? 'full';
  const previous = mode === 'incremental' ? await context.state.get(sourceCursorKey(source.id)) : undefined;
  return readDirectorySource(source, { mode, previous, baseDir: context.baseDir });
}
