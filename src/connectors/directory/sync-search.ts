import { FilterParser, MessageResponseStatus, SearchEntry, SearchRequest, StatusCodeParser, type Entry, type SearchResponse } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import { ResultCode, SyncUnsupportedError } from './errors.js';
import { isCheckedMajor, LDAPTS_VERSION } from './ldapts-version.js';
import { sendIdle, type IdleSendInternals } from './idle-send.js';
import type { DirectoryClient } from './pool.js';
import {
  readSyncInfo, SYNC_OIDS, SYNC_REFRESH_REQUIRED, SyncDoneListener, SyncRequestControl, SyncStateListener,
  type SyncEntryState, type SyncInfo,
} from './sync-controls.js';

/**
 * The ldapts major versions whose internals syncSearch was checked against:
 * Client `_nextMessageId`, `_send` (its timer set from `clientOptions.timeout`
 * when a request is sent), `socket` and `messageParser`, MessageParser
 * `_getMessageFromProtocolOperation(messageId, operation, reader,
 * requestMessage)` and its synchronous `emit('message')`, and response
 * controls parsed into the request control of the same OID. ldapts 8 throws
 * "Protocol Operation not supported: 0x79" on an IntermediateResponse (and
 * drops what follows it in the same read), which fails the search; OpenLDAP
 * sends deletions and "present" lists as Sync Info intermediate responses.
 */
const CHECKED_LDAPTS_MAJORS: readonly number[] = [8];

/** IntermediateResponse ::= [APPLICATION 25] SEQUENCE { responseName [0] OPTIONAL, responseValue [1] OPTIONAL } */
const INTERMEDIATE_RESPONSE = 0x79;

interface ClientInternals extends IdleSendInternals {
  readonly messageParser: ParserInternals;
}

interface BerReaderLike {
  readonly offset: number;
  readonly length: number;
  peek(): number | null;
  readString(tag: number, asBuffer: true): Buffer | null;
}

interface ParserInternals {
  _getMessageFromProtocolOperation(messageId: number, operation: number, reader: BerReaderLike, request: unknown): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/** An entry of a sync refresh: its Sync State, and the entry (a `delete` or `present` state may come without attributes). */
export interface SyncedEntry {
  readonly state: SyncEntryState;
  readonly uuid: string;
  readonly entry: Entry;
}

export interface SyncResult {
  readonly entries: readonly SyncedEntry[];
  /** Sync Info messages in the order they came (syncIdSet: deleted or present entryUUIDs). */
  readonly infos: readonly SyncInfo[];
  /** From the Sync Done control. */
  readonly refreshDeletes: boolean;
  /** The cookie to send next time: the Sync Done's, else the last one seen; undefined when the server sent none. */
  readonly cookie: Buffer | undefined;
}

export interface SyncSearchOptions {
  readonly base: string;
  readonly filter: string;
  readonly attributes: readonly string[];
  readonly explicitBufferAttributes?: readonly string[];
  readonly cookie?: Buffer;
}

/** The server cannot use the cookie (e-syncRefreshRequired, 4096): sync again without one. */
export class SyncRefreshRequiredError extends Error {
  readonly code = SYNC_REFRESH_REQUIRED;
}

/** What one sync search gathers while ldapts parses its messages. */
class Collector {
  readonly entries: SyncedEntry[] = [];
  readonly infos: SyncInfo[] = [];
  /** The last cookie a Sync State or Sync Info carried. */
  cookie: Buffer | undefined;
  problem: string | undefined;
  /** Called on every message of the search (the idle timeout starts again). */
  touch: () => void = () => undefined;
  readonly #request: SearchRequest;
  readonly #state: SyncStateListener;

  constructor(request: SearchRequest, state: SyncStateListener) {
    this.#request = request;
    this.#state = state;
  }

  entry(message: SearchEntry): void {
    const { value, malformed } = this.#state.take();
    if (value === undefined) {
      this.problem ??= `the entry ${message.name} came ${malformed ? 'with a Sync State control Roster cannot read' : 'without a Sync State control'}`;
      return;
    }
    if (value.cookie !== undefined) this.cookie = value.cookie;
    this.entries.push({ state: value.state, uuid: value.uuid, entry: message.toObject(this.#request.attributes, this.#request.explicitBufferAttributes) });
  }

  intermediate(name: string | undefined, value: Buffer | undefined): void {
    if (name !== SYNC_OIDS.info) return; // Not ours to read (RFC 4511 4.13: an unrecognised one is ignored).
    const info = value === undefined ? undefined : readSyncInfo(value);
    if (info === undefined) this.problem ??= 'a Sync Info message Roster cannot read';
    else {
      this.infos.push(info);
      if (info.cookie !== undefined) this.cookie = info.cookie;
    }
  }
}

/** A message the patched parser took for a sync search: not handed on to ldapts's client. */
class Taken {
  readonly messageId: number;
  constructor(messageId: number) {
    this.messageId = messageId;
  }
}

/** Sync searches under way, by message id, per message parser (one per connection). */
const collectorsByParser = new WeakMap<ParserInternals, Map<number, Collector>>();

/**
 * Let one connection's ldapts message parser read a sync search's
 * messages: entries are converted as they come (with their Sync State) and
 * IntermediateResponses are read instead of failing the search. Messages of
 * other operations go through ldapts untouched.
 */
function collectorsOf(parser: ParserInternals): Map<number, Collector> {
  let collectors = collectorsByParser.get(parser);
  if (collectors !== undefined) return collectors;
  const found = new Map<number, Collector>();
  collectors = found;
  const parse = parser._getMessageFromProtocolOperation.bind(parser);
  const emit = parser.emit.bind(parser);
  parser._getMessageFromProtocolOperation = (messageId, operation, reader, request) => {
    const collector = found.get(messageId);
    if (collector === undefined) return parse(messageId, operation, reader, request);
    collector.touch();
    if (operation === INTERMEDIATE_RESPONSE) {
      const end = reader.offset + reader.length;
      const name = reader.offset < end && reader.peek() === 0x80 ? reader.readString(0x80, true)?.toString('utf8') : undefined;
      const value = reader.offset < end && reader.peek() === 0x81 ? reader.readString(0x81, true) ?? undefined : undefined;
      collector.intermediate(name, value === undefined ? undefined : Buffer.from(value));
      return new Taken(messageId);
    }
    const message = parse(messageId, operation, reader, request);
    if (!(message instanceof SearchEntry)) return message;
    collector.entry(message);
    return new Taken(messageId);
  };
  parser.emit = (event, ...args) => (event === 'message' && args[0] instanceof Taken ? true : emit(event, ...args));
  collectorsByParser.set(parser, found);
  return found;
}

/** Refuse (clearly) an ldapts version whose internals syncSearch was not checked against. */
export function assertSyncSearchInternals(version: string | undefined = LDAPTS_VERSION): void {
  if (!isCheckedMajor(version, CHECKED_LDAPTS_MAJORS)) {
    throw new RosterError('source.unavailable',
      `a syncrepl read needs ldapts ${CHECKED_LDAPTS_MAJORS.map((m) => `${m}.x`).join(' or ')}, and ${version === undefined ? 'its version cannot be read' : `${version} is installed`}: `
      + 'ldapts has no Content Synchronization support, so Roster reads it through ldapts internals, only on a version they were checked on '
      + '(src/connectors/directory/sync-search.ts); use `changes: timestamp` meanwhile');
  }
}

function internalsOf(client: DirectoryClient): ClientInternals {
  assertSyncSearchInternals();
  const internals = client as unknown as Partial<ClientInternals>;
  const parser = internals.messageParser as Partial<ParserInternals> | undefined;
  if (typeof internals._send !== 'function' || typeof internals._nextMessageId !== 'function' || typeof internals.clientOptions !== 'object'
    || typeof parser?._getMessageFromProtocolOperation !== 'function' || typeof parser.emit !== 'function') {
    throw new RosterError('source.unavailable', `ldapts ${LDAPTS_VERSION ?? ''} no longer has the internals a syncrepl read needs`);
  }
  return internals as ClientInternals;
}

/**
 * One refreshOnly Content Synchronization search (RFC 4533) on one
 * connection: from `cookie` when given (the changes since), else every
 * entry. Resolves when the server sends its SearchResultDone, however long
 * that takes while the server keeps sending; a server that sends nothing for
 * the client's timeout fails it with IdleTimeoutError, the search abandoned
 * and the connection closed (idle-send.ts). Throws
 * SyncRefreshRequiredError when the server asks for a refresh without the
 * cookie, SyncUnsupportedError when it has no Content Synchronization, and an
 * ldapts result error for any other result but success.
 */
export async function syncSearch(client: DirectoryClient, options: SyncSearchOptions): Promise<SyncResult> {
  const internals = internalsOf(client);
  const state = new SyncStateListener();
  const done = new SyncDoneListener();
  const request = new SearchRequest({
    messageId: internals._nextMessageId(), baseDN: options.base, scope: 'sub', filter: FilterParser.parseString(options.filter),
    attributes: [...options.attributes], explicitBufferAttributes: [...(options.explicitBufferAttributes ?? [])],
    controls: [new SyncRequestControl({ ...(options.cookie === undefined ? {} : { cookie: options.cookie }) }), state, done],
  });
  const collectors = collectorsOf(internals.messageParser);
  const collector = new Collector(request, state);
  collectors.set(request.messageId, collector);
  let result: SearchResponse | undefined;
  try {
    // Timed out only when the server goes quiet for timeoutMs, not when a large refresh takes longer than that (idle-send.ts).
    const sending = sendIdle(internals, request);
    collector.touch = sending.touch;
    result = await sending.done;
  } finally {
    collectors.delete(request.messageId);
  }
  if (result?.status === SYNC_REFRESH_REQUIRED) {
    throw new SyncRefreshRequiredError(`the server asks for a full refresh (e-syncRefreshRequired, LDAP ${SYNC_REFRESH_REQUIRED}: ${result.errorMessage})`);
  }
  if (result?.status === ResultCode.unavailableCriticalExtension) throw new SyncUnsupportedError(StatusCodeParser.parse(result));
  if (result?.status !== MessageResponseStatus.Success) throw StatusCodeParser.parse(result);
  if (collector.problem !== undefined) {
    throw new RosterError('source.unavailable', `the directory's sync answer under ${options.base} cannot be read: ${collector.problem}`);
  }
  const syncDone = done.take().value;
  // Without it, refreshDeletes would default to false: everyone not sent would read as gone.
  if (syncDone === undefined) throw new RosterError('source.unavailable', `the directory's sync answer under ${options.base} has no Sync Done control Roster can read`);
  const cookie = syncDone?.cookie ?? collector.cookie;
  return { entries: collector.entries, infos: collector.infos, refreshDeletes: syncDone.refreshDeletes, cookie };
}
