import { open, stat } from 'node:fs/promises';
import type { SourceConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { checkDirectorySource } from './directory/check.js';
import { isDirectorySource } from './directory/settings.js';

/**
 * Whether a source can be read, without reading it (`roster status
 * --check`): a csv / json file exists, is a file and opens for reading; an
 * ldap / ad directory binds and shows its base (directory/check.ts). Push
 * and scim sources have nothing to connect to: the resolved value says so
 * (undefined: checked and fine). A failure throws a RosterError
 * ('source.unavailable') naming the source and what to fix.
 */
export async function checkSource(source: SourceConfig, options: { readonly baseDir: string; readonly signal?: AbortSignal }): Promise<string | undefined> {
  if (source.type === 'push') return 'nothing to connect to: records are pushed to Roster over HTTP';
  if (source.type === 'scim') return 'nothing to connect to: its Users are written to Roster\'s SCIM server';
  if (isDirectorySource(source)) {
    await checkDirectorySource(source, options);
    return undefined;
  }
  await checkFile(source);
  return undefined;
}

async function checkFile(source: SourceConfig): Promise<void> {
  const path = source.path;
  if (path === undefined || path === '') throw new RosterError('config.invalid', `source ${source.id} (type ${source.type}) has no path`);
  const unreadable = (error: unknown): RosterError => {
    const code = (error as NodeJS.ErrnoException | null)?.code ?? 'error';
    const fix = code === 'ENOENT' ? 'it does not exist: check path: in roster.yaml (a relative path is taken from the folder roster.yaml is in), or whatever writes the file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied: let the user Roster runs as read it (and enter its folders)'
        : 'check path: in roster.yaml';
    return new RosterError('source.unavailable', `source ${source.id}: cannot read ${path} (${code}): ${fix}`, { cause: error, retryable: code !== 'ENOENT' });
  };
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    throw unreadable(error);
  }
  if (!isFile) throw new RosterError('source.unavailable', `source ${source.id}: ${path} is not a file (a folder?): check path: in roster.yaml`);
  try {
    const handle = await open(path, 'r');
    await handle.close();
  } catch (error) {
    throw unreadable(error);
  }
}
