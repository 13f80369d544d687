import type { SourceConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import type { ScimExtensionConfig } from '../scim/resource/types.js';
import type { Logger } from '../connectors/types.js';
import type { ScimStore, StateStore } from '../store/types.js';
import { readDirectorySource, type PassMode } from './directory/read.js';
import { isDirectorySource } from './directory/settings.js';
import { readFileSource } from './file.js';
import { readScimSource, scimUserSchema } from './scim.js';

/** The state-store key of a source's cursor. */
export function sourceCursorKey(sourceId: string): string {
  return `cursor:source:${sourceId}`;
}

export interface SourceRead {
  readonly batch: SourceBatch;
  /** Store this under sourceCursorKey(id) once the batch is ingested (undefined: nothing to store). */
  readonly cursor?: unknown;
  readonly mode: PassMode;
  /**
   * The cursor moves past deletions this read reported (syncrepl, or an `ad`
   * incremental pass, which sets it itself): when the
   * ingest holds them as truncated, keep the previous cursor so the next
   * read reports them again.
   */
  readonly keepCursorIfTruncated?: boolean;
}

/**
 * Read a source once, whatever its type: csv / json files (always a full
 * read), ldap / ad directories (full, or incremental from the stored cursor;
 * `mode` defaults to full), the scim source (every stored User, always a
 * full read). Push sources cannot be read.
 */
export async function readSource(source: SourceConfig, context: {
  readonly state: Pick<StateStore, 'get'>;
  readonly baseDir: string;
  readonly mode?: PassMode;
  /** Needed to read a scim source: the store's SCIM resources and `scim.server.extensions`. */
  readonly scim?: { readonly store: Pick<ScimStore, 'iterate'>; readonly extensions?: readonly ScimExtensionConfig[] };
  /** Warnings of a directory read (a syncrepl cookie the server refused). */
  readonly log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
  /** `lifecycle.timezone`: a directory's accountExpires at midnight there reads as the date before it. */
  readonly timezone?: string;
}): Promise<SourceRead> {
  if (source.type === 'push') {
    throw new RosterError('request.invalid', `source ${source.id} is a push source: records arrive over HTTP`);
  }
  if (source.type === 'scim') {
    if (context.scim === undefined) {
      throw new RosterError('source.unavailable', `source ${source.id} (type scim) cannot be read here: the caller did not pass the store's SCIM resources`);
    }
    return { batch: await readScimSource(source, context.scim.store, scimUserSchema(context.scim.extensions)), mode: 'full' };
  }
  if (!isDirectorySource(source)) return { batch: await readFileSource(source), mode: 'full' };
  const mode = context.mode ?? 'full';
  // A full pass gets the stored cursor too: an ad pass keeps from its key map the key of an entry it turns down (a
  // typo'd employeeID must not make that key's person a leaver); it reads nothing else from it.
  const previous = await context.state.get(sourceCursorKey(source.id));
  const read = await readDirectorySource(source, {
    mode, previous, baseDir: context.baseDir, ...(context.log === undefined ? {} : { log: context.log }), ...(context.timezone === undefined ? {} : { timezone: context.timezone }),
  });
  return source.changes === 'syncrepl' ? { ...read, keepCursorIfTruncated: true } : read;
}
