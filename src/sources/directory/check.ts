import type { SourceConfig } from '../../config/types.js';
import { explainAdDiagnostic } from '../../connectors/ad/ad-errors.js';
import { tlsOptions } from '../../connectors/directory/config.js';
import { isConnectionError, resultCodeOf, ResultCode, SyncUnsupportedError, toDirectoryError } from '../../connectors/directory/errors.js';
import { ClientPool, type DirectoryClient } from '../../connectors/directory/pool.js';
import { syncSearch } from '../../connectors/directory/sync-search.js';
import { RosterError } from '../../core/errors.js';

/**
 * `roster status --check` for an ldap / ad source: connect, bind, read the
 * base entry (one base-scope search, whatever the directory's size), and for
 * `changes: syncrepl` send one Content Synchronization search that can match
 * no entry (an entryUUID nobody has: indexed where syncprov is set up as
 * docs/directory-sources.md says), so the server says whether it offers the
 * control without sending the directory. Each failure is a
 * RosterError('source.unavailable') naming the source, the step, the bind DN
 * or base it concerns and the setting to fix; never the password.
 */

/** Matches no entry: entryUUIDs are random (version 1 or 4), never all zeros. */
const NO_ENTRY = '(entryUUID=00000000-0000-0000-0000-000000000000)';

/** The URL without any user:password@ part. */
const shownUrl = (url: string): string => url.replace(/\/\/[^/@]*@/, '//');

export async function checkDirectorySource(source: SourceConfig, options: { readonly baseDir: string; readonly signal?: AbortSignal }): Promise<void> {
  const connection = source.connection;
  if (connection === undefined) throw new RosterError('config.invalid', `source ${source.id} has no connection`);
  const where = `source ${source.id}`;
  const explain = source.type === 'ad' ? explainAdDiagnostic : undefined;
  let tls;
  try {
    tls = tlsOptions(connection.tls, options.baseDir);
  } catch (error) {
    throw new RosterError('source.unavailable', `${where}: connection.tls.ca cannot be used: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const pool = new ClientPool({
    url: connection.url, bindDN: connection.bindDN, password: connection.password, startTLS: connection.startTLS, tls, size: 1,
    timeoutMs: connection.timeoutMs, connectTimeoutMs: connection.connectTimeoutMs,
  });
  // Abandoned (status --check-timeout): closing the pool ends a connect or bind still under way at once.
  const abandon = (): void => void pool.close().catch(() => undefined);
  options.signal?.addEventListener('abort', abandon, { once: true });
  const failed = (error: unknown, step: 'bind' | 'base' | 'syncrepl', operation: string, fix: string): RosterError => {
    if (error instanceof RosterError) return error;
    const directory = toDirectoryError(error, where, operation, explain);
    return new RosterError('source.unavailable', `${directory.message}; ${fix}`, {
      cause: error, retryable: directory.retryable || isConnectionError(error), details: { ...directory.details, step },
    });
  };
  try {
    let client: DirectoryClient;
    try {
      client = await pool.lease();
    } catch (error) {
      const code = resultCodeOf(error);
      const fix = code === ResultCode.invalidCredentials ? 'check connection.bindDN and connection.password'
        : code === undefined ? `check connection.url (${shownUrl(connection.url)}), that the directory is running and reachable from here, and its TLS settings`
          : 'check connection.bindDN, connection.password and the bind account (locked, disabled or expired?)';
      throw failed(error, 'bind', `connect to ${shownUrl(connection.url)} and bind as ${connection.bindDN}`, fix);
    }
    const readBase = `read the base ${connection.base}`;
    try {
      const { searchEntries } = await client.search(connection.base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
      if (searchEntries.length === 0) {
        throw new RosterError('source.unavailable', `${readBase} on ${where}: the directory returned no entry; check connection.base, and that ${connection.bindDN} may read it`);
      }
    } catch (error) {
      const code = resultCodeOf(error);
      const fix = code === ResultCode.noSuchObject ? `check connection.base: the entry does not exist, or ${connection.bindDN} may not see it`
        : code === ResultCode.referral ? 'check connection.base: it is outside what this server holds'
          : `check connection.base, and that ${connection.bindDN} may read it`;
      throw failed(error, 'base', readBase, fix);
    }
    if (source.type === 'ldap' && source.changes === 'syncrepl') {
      try {
        await syncSearch(client, { base: connection.base, filter: NO_ENTRY, attributes: ['1.1'] });
      } catch (error) {
        const fix = error instanceof SyncUnsupportedError
          ? 'changes: syncrepl needs it (docs/directory-sources.md, "changes: syncrepl"; the local dev-slapd loads it with --syncprov)'
          : `changes: syncrepl needs the server's Content Synchronization (syncprov) under ${connection.base}, readable by ${connection.bindDN}`;
        throw failed(error, 'syncrepl', `sync search (RFC 4533, changes: syncrepl) under ${connection.base}`, fix);
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', abandon);
    await pool.close().catch(() => undefined);
  }
}
