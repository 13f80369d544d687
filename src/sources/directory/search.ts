import type { DirectorySourceConnection } from '../../config/types.js';
import { tlsOptions } from '../../connectors/directory/config.js';
import { isConnectionError, isNoSuchObject, toDirectoryError } from '../../connectors/directory/errors.js';
import { entryValues } from '../../connectors/directory/normalise.js';
import { ClientPool } from '../../connectors/directory/pool.js';
import { RosterError } from '../../core/errors.js';
import type { DirectoryEntry } from './values.js';

/** What a pass learns from the rootDSE (Active Directory). */
export interface RootDse {
  readonly highestCommittedUSN?: string;
  readonly dsServiceName?: string;
}

/**
 * One bound connection to a source directory for one pass (a paged search
 * keeps its cookie on one connection). Reads only. Errors become
 * RosterError('source.unavailable') naming the source, never the password.
 */
export class DirectoryReader {
  readonly #sourceId: string;
  readonly #connection: DirectorySourceConnection;
  readonly #pool: ClientPool;

  constructor(sourceId: string, connection: DirectorySourceConnection, baseDir: string) {
    this.#sourceId = sourceId;
    this.#connection = connection;
    this.#pool = new ClientPool({
      url: connection.url,
      bindDN: connection.bindDN,
      password: connection.password,
      startTLS: connection.startTLS,
      tls: tlsOptions(connection.tls, baseDir),
      size: 1,
      timeoutMs: connection.timeoutMs,
      connectTimeoutMs: connection.connectTimeoutMs,
    });
  }

  async rootDse(): Promise<RootDse> {
    const { searchEntries } = await this.#run('read the rootDSE', () => this.#pool.use((client) =>
      client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['highestCommittedUSN', 'dsServiceName'] })));
    const entry = searchEntries[0];
    if (entry === undefined) return {};
    const values = entryValues(entry);
    const usn = values.get('highestcommittedusn')?.[0];
    const server = values.get('dsservicename')?.[0];
    return { ...(usn === undefined ? {} : { highestCommittedUSN: usn }), ...(server === undefined ? {} : { dsServiceName: server }) };
  }

  /** Every entry under the base that matches the filter, page by page. */
  async search(filter: string, attributes: readonly string[]): Promise<DirectoryEntry[]> {
    return this.#run('search', async () => {
      const client = await this.#pool.lease();
      const entries: DirectoryEntry[] = [];
      const pages = client.searchPaginated(this.#connection.base, {
        scope: 'sub', filter, attributes: [...attributes], paged: { pageSize: this.#connection.pageSize },
      });
      for await (const page of pages) {
        for (const entry of page.searchEntries) entries.push({ dn: entry.dn, values: entryValues(entry) });
      }
      return entries;
    });
  }

  /** One entry's attribute by DN (a manager outside the pass); undefined when there is no such entry. */
  async valueAt(dn: string, attribute: string): Promise<string | undefined> {
    return this.#run('read a manager', async () => {
      try {
        const { searchEntries } = await this.#pool.use((client) => client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [attribute] }));
        const entry = searchEntries[0];
        return entry === undefined ? undefined : entryValues(entry).get(attribute.toLowerCase())?.[0];
      } catch (error) {
        if (isNoSuchObject(error)) return undefined;
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const directory = toDirectoryError(error, `source ${this.#sourceId}`, operation);
      throw new RosterError('source.unavailable', directory.message, {
        cause: error, retryable: directory.retryable || isConnectionError(error), details: directory.details,
      });
    }
  }
}
