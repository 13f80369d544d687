import { createServer, type Server, type Socket } from 'node:net';
import { BerReader, BerWriter, Control, PagedResultsControl, PresenceFilter, SearchRequest } from 'ldapts';
import { frameLength } from './ber-frames.js';

/**
 * A tiny LDAP server for tests of how Roster reads what a server sends:
 * it accepts any simple bind and answers each search with the page the test
 * gives for it (entries, references, a result code and a paging cookie),
 * encoded with ldapts's own BER writer and controls. Not a directory: no
 * filter is evaluated, no write is supported.
 */

/** Attribute values: text, or bytes (objectGUID). */
export type FakeValues = string | Buffer | readonly (string | Buffer)[];

export interface FakePage {
  readonly entries?: readonly { readonly dn: string; readonly attributes: Readonly<Record<string, FakeValues>> }[];
  readonly references?: readonly string[];
  /** The paging cookie sent back; absent or empty: the search is done. */
  readonly cookie?: string | Buffer;
  /** The result code (default 0, success). */
  readonly status?: number;
}

/** One search as the server received it. */
export interface FakeSearch {
  /** Which connection it came on (1, 2, … in the order they were opened). */
  readonly connection: number;
  readonly base: string;
  readonly attributes: readonly string[];
  /** The page size and cookie of its paged results control; undefined without one. */
  readonly paged: { readonly size: number; readonly cookie: Buffer } | undefined;
  /** The OIDs of every control it carried, in order. */
  readonly controls: readonly string[];
}

export interface FakeLdap {
  readonly url: string;
  /** Every search received, in order. */
  readonly searches: FakeSearch[];
  close(): Promise<void>;
}

const OP = { bind: 0x60, bindResponse: 0x61, unbind: 0x42, search: 0x63, entry: 0x64, done: 0x65, reference: 0x73 } as const;
/** Request controls besides paging that Roster sends and ldapts would drop as unknown when parsing: kept, by OID, in FakeSearch.controls. */
const OTHER_CONTROLS: readonly string[] = ['1.2.840.113556.1.4.417', '1.3.6.1.4.1.4203.1.9.1.1', '1.3.6.1.1.13.2'];

/** The [0] constructed tag of a message's controls. */
const CONTROLS = 0xa0;
const SET = 0x31;

/** Starts the server on 127.0.0.1 (a free port); `answer` gives the page for each search. */
export async function startFakeLdap(answer: (search: FakeSearch, index: number) => FakePage): Promise<FakeLdap> {
  const searches: FakeSearch[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (let length = frameLength(pending); length !== undefined && pending.length >= length; length = frameLength(pending)) {
        const frame = pending.subarray(0, length);
        pending = pending.subarray(length);
        const reply = handle(frame, connection, searches, answer);
        if (reply === 'close') socket.end();
        else for (const out of reply) socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake LDAP server has no TCP address');
  return {
    url: `ldap://127.0.0.1:${address.port}`,
    searches,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

function handle(frame: Buffer, connection: number, searches: FakeSearch[], answer: (search: FakeSearch, index: number) => FakePage): Buffer[] | 'close' {
  const reader = new BerReader(frame);
  reader.readSequence();
  const messageId = reader.readInt() ?? 0;
  const op = reader.peek();
  if (op === OP.unbind) return 'close';
  if (op === OP.bind) return [message(messageId, OP.bindResponse, (w) => result(w, 0))];
  if (op !== OP.search) return [];
  reader.readSequence();
  const request = new SearchRequest({ messageId, filter: new PresenceFilter({ attribute: 'objectClass' }) });
  request.parse(reader, OTHER_CONTROLS.map((oid) => new Control(oid)));
  const control = request.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
  const search: FakeSearch = {
    connection, base: request.baseDN, attributes: [...request.attributes],
    paged: control === undefined ? undefined : { size: control.value?.size ?? 0, cookie: control.value?.cookie ?? Buffer.alloc(0) },
    controls: (request.controls ?? []).map((c) => c.type),
  };
  searches.push(search);
  const page = answer(search, searches.length - 1);
  const out: Buffer[] = [];
  for (const entry of page.entries ?? []) {
    out.push(message(messageId, OP.entry, (w) => {
      w.writeString(entry.dn);
      w.startSequence();
      for (const [type, value] of Object.entries(entry.attributes)) {
        w.startSequence();
        w.writeString(type);
        w.startSequence(SET);
        for (const one of (Array.isArray(value) ? value : [value]) as (string | Buffer)[]) {
          if (typeof one === 'string') w.writeString(one);
          else w.writeBuffer(one, 0x04);
        }
        w.endSequence();
        w.endSequence();
      }
      w.endSequence();
    }));
  }
  for (const uri of page.references ?? []) out.push(message(messageId, OP.reference, (w) => w.writeString(uri)));
  const cookie = typeof page.cookie === 'string' ? Buffer.from(page.cookie) : page.cookie;
  const paging = control === undefined ? [] : [new PagedResultsControl({ value: { size: 0, cookie: cookie ?? Buffer.alloc(0) } })];
  out.push(message(messageId, OP.done, (w) => result(w, page.status ?? 0), paging));
  return out;
}

function result(writer: BerWriter, status: number): void {
  writer.writeEnumeration(status);
  writer.writeString('');
  writer.writeString(status === 0 ? '' : `fake LDAP server: result ${status}`);
}

function message(messageId: number, op: number, body: (writer: BerWriter) => void, controls: readonly PagedResultsControl[] = []): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(op);
  body(writer);
  writer.endSequence();
  if (controls.length > 0) {
    writer.startSequence(CONTROLS);
    for (const control of controls) control.write(writer);
    writer.endSequence();
  }
  writer.endSequence();
  return writer.buffer;
}
