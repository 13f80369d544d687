import { BerReader, BerWriter, Control } from 'ldapts';

/**
 * The controls and the Sync Info message of the LDAP Content Synchronization
 * operation (RFC 4533, section 2), refreshOnly mode only. ldapts knows none
 * of them: the request control is written here, and the response controls
 * are read by "listener" controls put in the request's control list (ldapts
 * hands a response control to the request control of the same OID) whose
 * own `write` sends nothing.
 */
export const SYNC_OIDS = {
  request: '1.3.6.1.4.1.4203.1.9.1.1',
  state: '1.3.6.1.4.1.4203.1.9.1.2',
  done: '1.3.6.1.4.1.4203.1.9.1.3',
  info: '1.3.6.1.4.1.4203.1.9.1.4',
} as const;

/** e-syncRefreshRequired (RFC 4533 2.6): the cookie cannot be used; the client must refresh in full. */
export const SYNC_REFRESH_REQUIRED = 4096;

const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;
const ENUMERATED = 0x0a;
const SEQUENCE = 0x30;
const SET = 0x31;
const REFRESH_ONLY = 1;

/** syncStateValue's state (RFC 4533 2.3). */
export type SyncEntryState = 'present' | 'add' | 'modify' | 'delete';
const STATES: readonly SyncEntryState[] = ['present', 'add', 'modify', 'delete'];

export interface SyncState {
  readonly state: SyncEntryState;
  /** The entry's entryUUID, as text (`a84f530a-7f0d-1041-9a3d-2bba09344ca3`). */
  readonly uuid: string;
  readonly cookie?: Buffer;
}

export interface SyncDone {
  readonly cookie?: Buffer;
  /** true: the refresh sent deletes; false: it sent who is present, and everyone else is gone. */
  readonly refreshDeletes: boolean;
}

/** syncInfoValue (RFC 4533 2.5), one of its four choices. */
export type SyncInfo =
  | { readonly kind: 'newcookie'; readonly cookie: Buffer }
  | { readonly kind: 'refreshDelete' | 'refreshPresent'; readonly cookie?: Buffer; readonly refreshDone: boolean }
  | { readonly kind: 'syncIdSet'; readonly cookie?: Buffer; readonly refreshDeletes: boolean; readonly uuids: readonly string[] };

/** 16 bytes -> the usual text form of a UUID; undefined for anything else. */
export function uuidText(bytes: Buffer): string | undefined {
  if (bytes.length !== 16) return undefined;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Sync Request control (critical), mode refreshOnly, with the cookie of the last sync if there is one. */
export class SyncRequestControl extends Control {
  readonly cookie: Buffer | undefined;
  readonly reloadHint: boolean;

  constructor(options: { readonly cookie?: Buffer; readonly reloadHint?: boolean } = {}) {
    super(SYNC_OIDS.request, { critical: true });
    this.cookie = options.cookie;
    this.reloadHint = options.reloadHint === true;
  }

  protected override writeControl(writer: BerWriter): void {
    writer.writeBuffer(syncRequestValue(this.cookie, this.reloadHint), OCTET_STRING);
  }
}

/** syncRequestValue ::= SEQUENCE { mode ENUMERATED, cookie OCTET STRING OPTIONAL, reloadHint BOOLEAN DEFAULT FALSE } */
export function syncRequestValue(cookie: Buffer | undefined, reloadHint: boolean): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeEnumeration(REFRESH_ONLY);
  if (cookie !== undefined && cookie.length > 0) writer.writeBuffer(cookie, OCTET_STRING);
  if (reloadHint) writer.writeBoolean(true);
  writer.endSequence();
  return writer.buffer;
}

/** A control that only listens: it sends nothing, and ldapts parses the response control of its OID into it. */
abstract class ListenerControl<T> extends Control {
  #value: T | undefined;
  #malformed = false;

  override write(_writer: BerWriter): void {
    // Nothing: a listener is never sent.
  }

  /** The value last parsed (cleared by the call), and whether it could not be read. */
  take(): { readonly value: T | undefined; readonly malformed: boolean } {
    const taken = { value: this.#value, malformed: this.#malformed };
    this.#value = undefined;
    this.#malformed = false;
    return taken;
  }

  /** Never throws: ldapts parses controls inside its message parser. */
  protected override parseControl(reader: BerReader): void {
    try {
      this.#value = this.decode(reader);
      this.#malformed = this.#value === undefined;
    } catch {
      this.#value = undefined;
      this.#malformed = true;
    }
  }

  protected abstract decode(reader: BerReader): T | undefined;
}

export class SyncStateListener extends ListenerControl<SyncState> {
  constructor() {
    super(SYNC_OIDS.state);
  }

  protected decode(reader: BerReader): SyncState | undefined {
    return readSyncState(reader);
  }
}

export class SyncDoneListener extends ListenerControl<SyncDone> {
  constructor() {
    super(SYNC_OIDS.done);
  }

  protected decode(reader: BerReader): SyncDone | undefined {
    return readSyncDone(reader);
  }
}

/** syncStateValue ::= SEQUENCE { state ENUMERATED, entryUUID OCTET STRING (16), cookie OCTET STRING OPTIONAL } */
export function readSyncState(reader: BerReader): SyncState | undefined {
  if (reader.readSequence(SEQUENCE) === null) return undefined;
  const end = reader.offset + reader.length;
  const state = STATES[reader.readEnumeration() ?? -1];
  const uuid = uuidText(reader.readString(OCTET_STRING, true) ?? Buffer.alloc(0));
  if (state === undefined || uuid === undefined) return undefined;
  const cookie = reader.offset < end && reader.peek() === OCTET_STRING ? reader.readString(OCTET_STRING, true) ?? undefined : undefined;
  return { state, uuid, ...(cookie === undefined ? {} : { cookie: Buffer.from(cookie) }) };
}

/** syncDoneValue ::= SEQUENCE { cookie OCTET STRING OPTIONAL, refreshDeletes BOOLEAN DEFAULT FALSE } */
export function readSyncDone(reader: BerReader): SyncDone | undefined {
  if (reader.readSequence(SEQUENCE) === null) return undefined;
  const end = reader.offset + reader.length;
  const cookie = reader.offset < end && reader.peek() === OCTET_STRING ? reader.readString(OCTET_STRING, true) ?? undefined : undefined;
  const refreshDeletes = reader.offset < end && reader.peek() === BOOLEAN ? reader.readBoolean() === true : false;
  return { refreshDeletes, ...(cookie === undefined ? {} : { cookie: Buffer.from(cookie) }) };
}

/** syncInfoValue ::= CHOICE { newcookie [0], refreshDelete [1], refreshPresent [2], syncIdSet [3] }; undefined when it is none. */
export function readSyncInfo(value: Buffer): SyncInfo | undefined {
  const reader = new BerReader(value);
  const tag = reader.peek();
  if (tag === 0x80) {
    const cookie = reader.readString(0x80, true);
    return cookie === null ? undefined : { kind: 'newcookie', cookie: Buffer.from(cookie) };
  }
  if (tag !== 0xa1 && tag !== 0xa2 && tag !== 0xa3) return undefined;
  if (reader.readSequence(tag) === null) return undefined;
  const end = reader.offset + reader.length;
  if (end > value.length) return undefined;
  const cookieRead = reader.offset < end && reader.peek() === OCTET_STRING ? reader.readString(OCTET_STRING, true) : undefined;
  const cookie = cookieRead === null || cookieRead === undefined ? {} : { cookie: Buffer.from(cookieRead) };
  const flag = reader.offset < end && reader.peek() === BOOLEAN ? reader.readBoolean() : undefined;
  if (tag !== 0xa3) return { kind: tag === 0xa1 ? 'refreshDelete' : 'refreshPresent', ...cookie, refreshDone: flag ?? true };
  if (reader.readSequence(SET) === null) return undefined;
  const setEnd = reader.offset + reader.length;
  if (setEnd > end) return undefined;
  const uuids: string[] = [];
  while (reader.offset < setEnd) {
    const uuid = uuidText(reader.readString(OCTET_STRING, true) ?? Buffer.alloc(0));
    if (uuid === undefined) return undefined;
    uuids.push(uuid);
  }
  return { kind: 'syncIdSet', ...cookie, refreshDeletes: flag === true, uuids };
}
