import type { Socket } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { Client, type SearchOptions } from 'ldapts';
import { withoutSecretsInMessage } from '../../core/secrets.js';
import { isConnectionError, resultCodeOf, StartTlsFailedError, StartTlsRefusedError } from './errors.js';
import { closeWithTlsSocket, firstConnectionOnly } from './starttls-socket.js';

export interface PoolOptions {
  readonly url: string;
  readonly bindDN: string;
  /** Never logged; kept only to bind new connections. */
  readonly password: string;
  readonly startTLS: boolean;
  readonly tls: ConnectionOptions | undefined;
  readonly size: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
}

/**
 * The few client calls the connectors use (an ldapts Client). Not its paged search, which ends at a
 * page without entries: paged reads go through paged-search.ts.
 */
export type DirectoryClient = Pick<Client, 'add' | 'modify' | 'modifyDN' | 'del' | 'search' | 'exop'>;
export type { SearchOptions };

/**
 * A few bound LDAP connections, each operation on the least busy one. A connection is opened and
 * bound on first use; a transport failure on a connection that was already open (the server
 * closed it while idle) drops it and the operation is tried once more on a fresh one (connector
 * writes are idempotent, except modify DN, whose caller checks where the entry is). A fresh
 * connection that fails (refused, or no answer to the bind), or an operation that timed out,
 * is not tried again: that would add another timeoutMs, and the error says the directory is
 * unreachable, which the executor retries with backoff.
 */
export class ClientPool {
  readonly #options: PoolOptions;
  readonly #slots: (Promise<Client> | undefined)[];
  /** Each slot's connection once open: `use` takes it without waiting on the slot's promise while it is bound. */
  readonly #ready: (Client | undefined)[];
  /** Operations under way per slot (`use` only; a lease is not counted). */
  readonly #inFlight: number[];
  #next = 0;
  #closed = false;
  /** Sockets holding this turn's requests until it ends (see #batchWrites). */
  readonly #corked = new Set<Socket>();
  /** Connections still connecting or binding: close() ends them at once rather than wait for a silent server's timeout. */
  readonly #opening = new Set<Client>();

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: Math.max(1, options.size) }, () => undefined);
    this.#inFlight = this.#slots.map(() => 0);
    this.#ready = this.#slots.map(() => undefined);
  }

  async use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
    const slot = this.#leastBusy();
    this.#inFlight[slot] = (this.#inFlight[slot] ?? 0) + 1;
    let client: Client | undefined;
    /** The attempt ran on a connection open before this call (one the server may have closed while idle). */
    let reused = false;
    try {
      const ready = this.#ready[slot];
      reused = ready !== undefined && ready.isBound;
      client = reused && ready !== undefined ? ready : await this.#client(slot);
      this.#batchWrites(client);
      return await work(client);
    } catch (error) {
      if (!isConnectionError(error) || this.#closed || !reused || isTimeout(error)) throw error;
      // Only the connection that failed: another operation's retry may have replaced it already.
      if (client !== undefined) this.#drop(slot, client);
      return await work(await this.#client(slot));
    } finally {
      this.#inFlight[slot] = (this.#inFlight[slot] ?? 1) - 1;
    }
  }

  /**
   * Requests sent on one connection in the same turn of the event loop leave
   * in one write: the socket is corked until the turn ends. Many operations
   * in flight per connection then cost the client and the server one system
   * call and one wake-up per turn, not one per request. ldapts keeps its
   * socket to itself (`socket`); without one there is nothing to batch.
   */
  #batchWrites(client: Client): void {
    const socket = (client as unknown as { readonly socket?: Socket }).socket;
    if (socket === undefined || this.#corked.has(socket)) return;
    socket.cork();
    this.#corked.add(socket);
    if (this.#corked.size === 1) setImmediate(() => this.#uncorkAll());
  }

  #uncorkAll(): void {
    for (const socket of this.#corked) socket.uncork();
    this.#corked.clear();
  }

  /** The connection with the fewest operations in flight (round robin among equals), so C callers use all C connections. */
  #leastBusy(): number {
    const size = this.#slots.length;
    let best = this.#next;
    for (let step = 1; step < size; step++) {
      const slot = (this.#next + step) % size;
      if ((this.#inFlight[slot] ?? 0) < (this.#inFlight[best] ?? 0)) best = slot;
    }
    this.#next = (best + 1) % size;
    return best;
  }

  /** A connection for a multi-step exchange (a paged search), chosen round robin; no retry. */
  lease(): Promise<DirectoryClient> {
    const slot = this.#next;
    this.#next = (this.#next + 1) % this.#slots.length;
    return this.#client(slot);
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Their connect or bind then fails at once (ldapts fails what waits on a socket it destroys), and the awaits below end.
    for (const client of this.#opening) void client.unbind().catch(() => undefined);
    this.#ready.fill(undefined);
    const clients = this.#slots.splice(0);
    await Promise.all(clients.map(async (pending) => {
      const client = await pending?.catch(() => undefined);
      await client?.unbind().catch(() => undefined);
    }));
  }

  async #client(slot: number): Promise<Client> {
    const client = await this.#slotClient(slot);
    if (client.isBound) return client;
    // The socket closed since: ldapts would reconnect without a bind (anonymous), so open a fresh, bound one.
    this.#drop(slot, client);
    return this.#slotClient(slot);
  }

  #slotClient(slot: number): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error('the connection pool is closed'));
    let pending = this.#slots[slot];
    if (pending === undefined) {
      const opening = this.#open();
      pending = opening;
      this.#slots[slot] = opening;
      opening.then((client) => {
        if (this.#slots[slot] === opening) this.#ready[slot] = client;
      }, () => {
        if (this.#slots[slot] === opening) this.#slots[slot] = undefined;
      });
    }
    return pending;
  }

  /**
   * Close the slot's connection and empty the slot, so the next operation opens a fresh one;
   * only while the slot still holds `stale`. Several operations find the same dead
   * connection at once: the first replaces it, and the others must not close (unbinding
   * it mid-operation) the fresh connection that one opened, or is still opening.
   */
  #drop(slot: number, stale: Client): void {
    if (this.#ready[slot] !== stale) return;
    const pending = this.#slots[slot];
    this.#slots[slot] = undefined;
    this.#ready[slot] = undefined;
    void pending?.then((client) => client.unbind()).catch(() => undefined);
  }

  async #open(): Promise<Client> {
    const { url, tls, timeoutMs, connectTimeoutMs, startTLS, bindDN, password } = this.#options;
    // autoRebind: a reconnect ldapts makes by itself mid-operation binds again instead of going on anonymously.
    const client = new Client({
      url, timeout: timeoutMs, connectTimeout: connectTimeoutMs, tlsOptions: url.startsWith('ldaps:') ? tls : undefined, autoRebind: true,
      ...(startTLS ? { createSecureConnection: handshakeWithin(connectTimeoutMs), createConnection: firstConnectionOnly() } : {}),
    });
    this.#opening.add(client);
    try {
      // host: the name the certificate is checked against (ldapts passes only our options to tls.connect).
      if (startTLS) {
        await client.startTLS({ ...tls, host: hostOf(url), servername: tls?.servername ?? sniName(url) }).catch((error: unknown) => {
          // An LDAP answer: the server will not speak TLS here. Otherwise the connection or the handshake failed.
          throw resultCodeOf(error) === undefined ? new StartTlsFailedError(error) : new StartTlsRefusedError(error);
        });
        closeWithTlsSocket(client);
      }
      await client.bind(bindDN, password);
      return client;
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw withoutPassword(error, password);
    } finally {
      this.#opening.delete(client);
    }
  }
}

/**
 * A failed connect, StartTLS or bind with the bind password taken out of its
 * message (a server or proxy may quote the request in its diagnostic): the
 * same error object, so its result code and class still say what failed.
 */
function withoutPassword(error: unknown, password: string): unknown {
  return password === '' ? error : withoutSecretsInMessage(error, [['bind password', password]]);
}

/** ldapts's own timeouts: `Connection timeout` (connect) and `…: Operation timed out` (any request, the bind too). */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && /timed out|timeout/i.test(error.message);
}

/**
 * tls.connect for the handshake after StartTLS, given up after `ms`
 * (connectTimeoutMs). ldapts times the StartTLS request (timeoutMs) and the
 * handshake of an ldaps:// connection (connectTimeout), not the handshake
 * after StartTLS: a server (or a middlebox) that accepts StartTLS and then
 * says nothing would hold the connection, and every operation waiting for
 * it, forever. The error reads as a timeout (retryable, see errors.ts).
 */
function handshakeWithin(ms: number): typeof connect {
  return ((options: ConnectionOptions): TLSSocket => {
    const socket = connect(options);
    const timer = setTimeout(() => {
      socket.destroy(new Error(`Connection timeout: the TLS handshake after StartTLS did not finish within ${ms} ms (connectTimeoutMs)`));
    }, ms);
    const done = (): void => clearTimeout(timer);
    socket.once('secureConnect', done);
    socket.once('close', done);
    return socket;
  }) as typeof connect;
}

/** The URL's host as node:tls checks it against the certificate: an IPv6 address without its brackets (`[::1]` is no IP to it). */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

function sniName(url: string): string | undefined {
  const host = hostOf(url);
  // SNI takes names, not addresses; an address is still checked against the certificate's IP SANs.
  return /^[\d.]+$|:/.test(host) ? undefined : host;
}

/**
 * The entryUUID of the entry the pool binds as (its bind DN), lower-cased:
 * the account id Roster's own service account has when it sits among the
 * accounts a target reads. Undefined when the bind name is no DN, the entry
 * cannot be read, or it has no entryUUID: reconcile then tells it by name
 * (reconcile/bind-account.ts).
 */
export async function ownEntryId(pool: ClientPool, bindDN: string): Promise<string | undefined> {
  if (!bindDN.includes('=')) return undefined;
  try {
    const { searchEntries: [entry] } = await pool.use((c) => c.search(bindDN, { scope: 'base', filter: '(objectClass=*)', attributes: ['entryUUID'] }));
    const id = entry?.['entryUUID'];
    return typeof id === 'string' && id !== '' ? id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
