import { AndFilter, EqualityFilter, FilterParser, OrFilter, type Filter } from 'ldapts';
import type { DirectorySourceConnection } from '../../config/types.js';
import { guidToBytes, guidToString, isGuid } from '../../connectors/ad/guid.js';
import { tlsOptions } from '../../connectors/directory/config.js';
import { isUnder } from '../../connectors/directory/dn.js';
import { isConnectionError, isNoSuchObject, resultCodeOf, ResultCode, toDirectoryError } from '../../connectors/directory/errors.js';
import { entryValues } from '../../connectors/directory/normalise.js';
import { pagedSearch } from '../../connectors/directory/paged-search.js';
import { ClientPool } from '../../connectors/directory/pool.js';
import { deletedObjectsDn, ShowDeletedControl, SHOW_DELETED_REFUSALS } from '../../connectors/directory/show-deleted.js';
import { syncSearch, type SyncResult } from '../../connectors/directory/sync-search.js';
import { RosterError } from '../../core/errors.js';
import type { DirectoryEntry } from './values.js';

/** A sync refresh (RFC 4533) as a source pass reads it: entries as DirectoryEntries. */
export interface SyncRead extends Omit<SyncResult, 'entries'> {
  readonly entries: readonly { readonly state: SyncResult['entries'][number]['state']; readonly uuid: string; readonly entry: DirectoryEntry }[];
}

/** What a pass learns from the rootDSE (Active Directory). */
export interface RootDse {
  readonly highestCommittedUSN?: string;
  readonly dsServiceName?: string;
  /** The domain's naming context (`DC=example,DC=com`): where deleted objects are searched. */
  readonly defaultNamingContext?: string;
  /** The DC's invocationId (on its NTDS Settings object, `dsServiceName`): a new one after a restore from a backup. */
  readonly invocationId?: string;
}

/** Whether this pass's bind may read deleted objects, and if not what the directory said. */
/** An object of the domain changed since a USN (DirectoryReader.changedSince): its objectGUID, and whether it is a tombstone. */
export interface ChangedObject {
  readonly guid: string;
  readonly deleted: boolean;
}

export type DeletedObjectsAccess = { readonly readable: true } | { readonly readable: false; readonly reason: string };

/** Whether `dn` is `context` or below it; false for a DN that does not parse. */
function underOrSame(dn: string, context: string): boolean {
  try {
    return isUnder(dn, context);
  } catch {
    return false;
  }
}

/** objectGUIDs or entryUUIDs asked for in one filter. */
const VALUES_PER_SEARCH = 100;

/** Binary attributes read as bytes and shown in their usual text form. */
const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid'] as const;

/**
 * The names to hand ldapts as `explicitBufferAttributes`: it compares them
 * with the attribute type the server returns case-sensitively, so the usual
 * spelling, a lower-case one and the spelling the source asked for.
 */
export function bufferAttributes(requested: readonly string[]): string[] {
  const names = new Set<string>();
  for (const name of BINARY_ATTRIBUTES) names.add(name).add(name.toLowerCase());
  for (const name of requested) {
    if (BINARY_ATTRIBUTES.some((binary) => binary.toLowerCase() === name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** A Windows security identifier (objectSid) -> `S-1-5-21-...`, or undefined when the bytes are not one. */
export function sidToString(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const b = Buffer.from(bytes);
  const count = b[1]!;
  if (b.length !== 8 + 4 * count) return undefined;
  const authority = b.readUIntBE(2, 6);
  const parts = [`S-${b[0]!}`, authority < 2 ** 32 ? String(authority) : `0x${b.subarray(2, 8).toString('hex').toUpperCase()}`];
  for (let i = 0; i < count; i += 1) parts.push(String(b.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

/** One binary value as text: objectGUID as a GUID, objectSid as S-1-..., anything else as hex. */
export function binaryValue(attribute: string, bytes: Buffer): string {
  const name = attribute.toLowerCase();
  if (name === 'objectguid' && bytes.length === 16) return guidToString(bytes);
  if (name === 'objectsid') return sidToString(bytes) ?? bytes.toString('hex');
  return bytes.toString('hex');
}

/**
 * An ldapts search entry -> a DirectoryEntry: attribute names lower-cased,
 * text values as they are, binary values (Buffers: objectGUID and objectSid
 * always, anything else that is not valid UTF-8) by binaryValue, never
 * decoded lossily as UTF-8 (two different GUIDs would become one key).
 */
export function sourceEntry(entry: Readonly<Record<string, unknown>> & { readonly dn: string }): DirectoryEntry {
  return { dn: entry.dn, values: entryValues(entry, binaryValue) };
}

/** Result codes of a manager lookup that mean "this pass cannot read that entry", not "the directory failed". */
const UNREADABLE_ENTRY = new Set<number>([ResultCode.referral, ResultCode.invalidDNSyntax, ResultCode.insufficientAccessRights]);

/** A manager lookup error that leaves the manager unresolved (a problem on the entry) rather than failing the pass. */
export function isUnreadableEntry(error: unknown): boolean {
  const code = resultCodeOf(error);
  return isNoSuchObject(error) || (code !== undefined && UNREADABLE_ENTRY.has(code));
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
    const { searchEntries } = await this.#run('read the rootDSE', () => this.#pool.use((client) => client.search('', {
      scope: 'base', filter: '(objectClass=*)', attributes: ['highestCommittedUSN', 'dsServiceName', 'defaultNamingContext'],
    })));
    const entry = searchEntries[0];
    if (entry === undefined) return {};
    const values = entryValues(entry);
    const usn = values.get('highestcommittedusn')?.[0];
    const server = values.get('dsservicename')?.[0];
    const context = values.get('defaultnamingcontext')?.[0];
    const invocation = server === undefined ? undefined : await this.#invocationId(server);
    return {
      ...(usn === undefined ? {} : { highestCommittedUSN: usn }), ...(server === undefined ? {} : { dsServiceName: server }),
      ...(context === undefined ? {} : { defaultNamingContext: context }), ...(invocation === undefined ? {} : { invocationId: invocation }),
    };
  }

  /** The invocationId of the DC whose NTDS Settings object is `server`, as a GUID; undefined when this bind cannot read it. */
  async #invocationId(server: string): Promise<string | undefined> {
    return this.#run('read the DC\'s invocationId', async () => {
      try {
        const { searchEntries } = await this.#pool.use((client) => client.search(server, {
          scope: 'base', filter: '(objectClass=*)', attributes: ['invocationId'], explicitBufferAttributes: ['invocationId', 'invocationid'],
        }));
        const raw = searchEntries[0] === undefined ? undefined : Object.entries(searchEntries[0]).find(([name]) => name.toLowerCase() === 'invocationid')?.[1];
        const bytes = Array.isArray(raw) ? raw[0] : raw;
        return Buffer.isBuffer(bytes) && bytes.length === 16 ? guidToString(bytes) : undefined;
      } catch (error) {
        if (isUnreadableEntry(error)) return undefined;
        throw error;
      }
    });
  }

  /** Every entry under the base that matches the filter, page by page. */
  async search(filter: string, attributes: readonly string[]): Promise<DirectoryEntry[]> {
    return this.#run('search', () => this.#paged(this.#connection.base, filter, attributes, false), this.#connection.base);
  }

  /**
   * Every object of the naming context (not only the source's base and
   * filter) whose uSNChanged is at least `usn` (digits), tombstones too
   * when `showDeleted`: their objectGUIDs, page by page, each saying whether
   * it is a tombstone (isDeleted: the object was deleted).
   */
  async changedSince(namingContext: string, usn: string, showDeleted: boolean): Promise<ChangedObject[]> {
    if (!/^\d+$/.test(usn)) throw new RosterError('config.invalid', `not a USN: ${JSON.stringify(usn)}`);
    const entries = await this.#run('search the domain for changed and deleted objects', () =>
      this.#paged(namingContext, `(uSNChanged>=${usn})`, ['objectGUID', 'isDeleted'], showDeleted));
    const changed: ChangedObject[] = [];
    for (const entry of entries) {
      const guid = entry.values.get('objectguid')?.[0];
      if (guid !== undefined && isGuid(guid)) changed.push({ guid, deleted: entry.values.get('isdeleted')?.[0]?.toUpperCase() === 'TRUE' });
    }
    return changed;
  }

  /**
   * Whether the bind may read the naming context's Deleted Objects container
   * with the Show Deleted control (its objectGUID comes back). A refusal
   * (SHOW_DELETED_REFUSALS) or an entry without attributes is "not
   * readable", with the reason; any other failure fails the pass.
   */
  async deletedObjectsAccess(namingContext: string): Promise<DeletedObjectsAccess> {
    return this.#run('read the Deleted Objects container', async () => {
      try {
        const { searchEntries } = await this.#pool.use((client) => client.search(deletedObjectsDn(namingContext), {
          scope: 'base', filter: '(objectClass=*)', attributes: ['objectGUID'], explicitBufferAttributes: bufferAttributes(['objectGUID']),
        }, [new ShowDeletedControl()]));
        const entry = searchEntries[0];
        if (entry !== undefined && sourceEntry(entry).values.get('objectguid')?.[0] !== undefined) return { readable: true };
        return { readable: false, reason: entry === undefined ? 'the container was not returned' : 'the container was returned without its attributes' };
      } catch (error) {
        const code = resultCodeOf(error);
        if (code === undefined || !SHOW_DELETED_REFUSALS.has(code)) throw error;
        return { readable: false, reason: `LDAP ${code}: ${error instanceof Error ? error.message : String(error)}` };
      }
    });
  }

  /**
   * The objectGUIDs (of `guids`) of entries under the base that match the
   * filter now; undefined when an entry came back without a readable
   * objectGUID (then the answer proves nobody's absence).
   */
  async guidsInScope(filter: string, guids: readonly string[]): Promise<Set<string> | undefined> {
    // Filter objects, not text: ldapts reads a `\xx` escape in filter text as a character and sends it UTF-8 encoded, so a GUID
    // byte of 0x80 or more would reach the directory as two other bytes. An EqualityFilter with a Buffer sends the bytes as they are.
    const entries = await this.#byValues(filter, 'objectGUID', guids.map(guidToBytes), []);
    const found = new Set<string>();
    for (const entry of entries) {
      const guid = entry.values.get('objectguid')?.[0];
      if (guid === undefined || !isGuid(guid)) return undefined;
      found.add(guid);
    }
    return found;
  }

  /** The entries under the base that match the filter now and whose entryUUID is one of `uuids`, with `attributes` and their entryUUID. */
  byEntryUuid(filter: string, uuids: readonly string[], attributes: readonly string[]): Promise<DirectoryEntry[]> {
    return this.#byValues(filter, 'entryUUID', uuids, attributes);
  }

  /**
   * The entries whose entryUUID is one of `uuids` anywhere in the naming
   * context holding the base (the rootDSE's namingContexts), whatever the
   * filter: an entry moved out of the base or out of the filter is still
   * there, a deleted one is not. Only the base when the rootDSE names no
   * context holding it (an entry moved out of the base then reads as gone).
   */
  async byEntryUuidInContext(uuids: readonly string[]): Promise<DirectoryEntry[]> {
    const context = (await this.#contexts())[0] ?? this.#connection.base;
    return this.#byValues('(objectClass=*)', 'entryUUID', uuids, [], context);
  }

  /** The entries under `base` (default the source's) whose entryUUID is one of `uuids` (a few: one search, not paged), with `attributes` and it. */
  async fewByEntryUuid(uuids: readonly string[], attributes: readonly string[], base = this.#connection.base): Promise<DirectoryEntry[]> {
    if (uuids.length === 0) return [];
    const filter = new OrFilter({ filters: uuids.map((value) => new EqualityFilter({ attribute: 'entryUUID', value })) });
    const { searchEntries } = await this.#run('search for entries by entryUUID', () => this.#pool.use((client) => client.search(base, {
      scope: 'sub', filter, attributes: [...attributes, 'entryUUID'],
    })), base);
    return searchEntries.map(sourceEntry);
  }

  /** The rootDSE's naming contexts holding the base, the widest first. */
  async #contexts(): Promise<string[]> {
    const base = this.#connection.base;
    const { searchEntries } = await this.#run('read the rootDSE', () => this.#pool.use((client) => client.search('', {
      scope: 'base', filter: '(objectClass=*)', attributes: ['namingContexts'],
    })));
    const contexts = searchEntries[0] === undefined ? [] : entryValues(searchEntries[0]).get('namingcontexts') ?? [];
    return contexts.filter((dn) => dn !== '' && underOrSame(base, dn)).sort((a, b) => a.length - b.length);
  }

  /**
   * The entry of the naming context holding the base (the narrowest the
   * rootDSE names: the database's suffix, where slapd keeps contextCSN) with
   * `attributes`; undefined when the rootDSE names none or this bind cannot read it.
   */
  async namingContext(attributes: readonly string[]): Promise<DirectoryEntry | undefined> {
    const context = (await this.#contexts()).at(-1);
    if (context === undefined) return undefined;
    return this.#run('read the naming context', async () => {
      try {
        const { searchEntries } = await this.#pool.use((client) => client.search(context, { scope: 'base', filter: '(objectClass=*)', attributes: [...attributes] }));
        return searchEntries[0] === undefined ? undefined : sourceEntry(searchEntries[0]);
      } catch (error) {
        if (isUnreadableEntry(error)) return undefined;
        throw error;
      }
    });
  }

  /** The entries under `base` (default the source's) matching the filter whose `attribute` is one of `values` (a hundred a search), with `attributes` and it. */
  async #byValues(filter: string, attribute: string, values: readonly (string | Buffer)[], attributes: readonly string[], base = this.#connection.base): Promise<DirectoryEntry[]> {
    const entries: DirectoryEntry[] = [];
    for (let i = 0; i < values.length; i += VALUES_PER_SEARCH) {
      const any = values.slice(i, i + VALUES_PER_SEARCH).map((value) => new EqualityFilter({ attribute, value }));
      const byValue = new AndFilter({ filters: [FilterParser.parseString(filter), new OrFilter({ filters: any })] });
      entries.push(...await this.#run(`search the base for entries by ${attribute}`, () => this.#paged(base, byValue, [...attributes, attribute], false), base));
    }
    return entries;
  }

  /** Whether any entry under `base` (not only the source's base) matches `filter`. */
  async anyUnder(base: string, filter: Filter): Promise<boolean> {
    const entries = await this.#run('search for changed groups', () => this.#paged(base, filter, ['objectGUID'], false));
    return entries.length > 0;
  }

  /** Whether any deleted object (a tombstone, Show Deleted) under `base` matches `filter`; undefined when the directory refuses the control. */
  async anyDeletedUnder(base: string, filter: Filter): Promise<boolean | undefined> {
    return this.#run('search for deleted groups', async () => {
      try {
        return (await this.#paged(base, filter, ['objectGUID'], true)).length > 0;
      } catch (error) {
        const code = resultCodeOf(error);
        if (code !== undefined && SHOW_DELETED_REFUSALS.has(code)) return undefined;
        throw error;
      }
    });
  }

  async #paged(base: string, filter: string | Filter, attributes: readonly string[], showDeleted: boolean): Promise<DirectoryEntry[]> {
    const client = await this.#pool.lease();
    const entries: DirectoryEntry[] = [];
    const pages = pagedSearch(client, base, {
      scope: 'sub', filter, attributes, explicitBufferAttributes: bufferAttributes(attributes), pageSize: this.#connection.pageSize,
      ...(showDeleted ? { controls: [new ShowDeletedControl()] } : {}),
    });
    for await (const page of pages) {
      for (const entry of page.searchEntries) entries.push(sourceEntry(entry));
    }
    return entries;
  }

  /** A refreshOnly sync (RFC 4533) of the entries under the base that match the filter: from `cookie` when given, else all of them. */
  async sync(filter: string, attributes: readonly string[], cookie: Buffer | undefined): Promise<SyncRead> {
    return this.#run('sync', async () => {
      const client = await this.#pool.lease();
      const result = await syncSearch(client, {
        base: this.#connection.base, filter, attributes, explicitBufferAttributes: bufferAttributes(attributes), ...(cookie === undefined ? {} : { cookie }),
      });
      return { ...result, entries: result.entries.map((synced) => ({ state: synced.state, uuid: synced.uuid, entry: sourceEntry(synced.entry) })) };
    }, this.#connection.base);
  }

  /**
   * One entry's attribute by DN (a manager outside the pass); undefined when
   * there is no such entry or this pass cannot read it: no such object, a
   * referral (a DN in another domain or server), a DN the server finds
   * invalid, or no access.
   */
  async valueAt(dn: string, attribute: string): Promise<string | undefined> {
    return this.#run('read a manager', async () => {
      try {
        const { searchEntries } = await this.#pool.use((client) => client.search(dn, {
          scope: 'base', filter: '(objectClass=*)', attributes: [attribute], explicitBufferAttributes: bufferAttributes([attribute]),
        }));
        const entry = searchEntries[0];
        const value = entry === undefined ? undefined : sourceEntry(entry).values.get(attribute.toLowerCase())?.[0];
        return value === undefined || value.trim() === '' ? undefined : value.trim();
      } catch (error) {
        if (isUnreadableEntry(error)) return undefined;
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** `base`: the search is one under the source's base, so "no such object" means the base does not exist: said so. */
  async #run<T>(operation: string, work: () => Promise<T>, base?: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const directory = toDirectoryError(error, `source ${this.#sourceId}`, operation);
      if (base !== undefined && isNoSuchObject(error)) {
        throw new RosterError('source.unavailable', `${operation} on source ${this.#sourceId}: the base ${base} does not exist (LDAP 32); `
          + 'check connection.base (nobody is treated as gone from a source that cannot be read)', { cause: error, retryable: false, details: directory.details });
      }
      throw new RosterError('source.unavailable', directory.message, {
        cause: error, retryable: directory.retryable || isConnectionError(error), details: directory.details,
      });
    }
  }
}
