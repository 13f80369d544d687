import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { elementLength } from './ber-frames.js';

/** LDAP request tags a client sends (RFC 4511). */
export const LDAP_REQUEST = { search: 0x63, abandon: 0x50, unbind: 0x42 } as const;
const SEARCH_RESULT_ENTRY = 0x64;

export interface LdapLink {
  /** ldap:// URL of the link (plain LDAP only). */
  readonly url: string;
  /**
   * A slow link: what the server sends is handed on `perTick` messages every
   * `tickMs` (0 / 0: at once, as it comes).
   */
  throttle(perTick: number, tickMs: number): void;
  /** The server goes silent: after `entries` more search entries nothing it sends is handed on (dropped), until `speak`. */
  muteAfter(entries: number): void;
  speak(): void;
  /**
   * A server that trickles: after `entries` more search entries on a
   * connection, what it sends is handed on `bytes` (default 1) every
   * `everyMs` (never silent for that long, maybe never getting anywhere),
   * until `speak`.
   */
  trickleAfter(entries: number, everyMs: number, bytes?: number): void;
  /** Requests the client sent, by protocol operation tag. */
  requests(op: number): number;
  /** Client connections open now, and opened in all. */
  readonly open: number;
  readonly opened: number;
  close(): Promise<void>;
}

/** Whole LDAP messages from a stream of chunks: each with its protocol operation tag. */
function framer(onMessage: (op: number, bytes: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const message = elementLength(pending, 0);
      if (message === undefined || pending.length < message.header + message.content) return;
      const size = message.header + message.content;
      const id = elementLength(pending, message.header);
      const op = id === undefined ? -1 : pending[message.header + id.header + id.content] ?? -1;
      onMessage(op, Buffer.from(pending.subarray(0, size)));
      pending = pending.subarray(size);
    }
  };
}

/**
 * A TCP proxy in front of an LDAP server that can make the link slow (a
 * large refresh over a slow line) or make the server go silent in the middle
 * of a search (a hung server, a dropped route: the connection stays open,
 * nothing more arrives), and that records the requests the client sends
 * (an Abandon) and its connections.
 */
export async function startLdapLink(target: string): Promise<LdapLink> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const requests = new Map<number, number>();
  let perTick = 0;
  let tickMs = 0;
  let entriesLeft: number | undefined;
  let trickle: { readonly after: number; readonly everyMs: number; readonly bytes: number } | undefined;
  let open = 0;
  let opened = 0;
  const server: Server = createServer((client) => {
    open += 1;
    opened += 1;
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    const queue: Buffer[] = [];
    let pumping: NodeJS.Timeout | undefined;
    let entriesSeen = 0;
    let trickling = false;
    const pump = (): void => {
      pumping = undefined;
      if (trickling && trickle !== undefined) {
        const head = queue[0];
        if (head === undefined) return;
        client.write(head.subarray(0, trickle.bytes));
        if (head.length > trickle.bytes) queue[0] = head.subarray(trickle.bytes);
        else queue.shift();
        if (queue.length > 0) pumping = setTimeout(pump, trickle.everyMs);
        return;
      }
      trickling = false;
      const take = perTick > 0 ? perTick : queue.length;
      if (take > 0 && queue.length > 0) client.write(Buffer.concat(queue.splice(0, take)));
      if (queue.length > 0) pumping = setTimeout(pump, perTick > 0 ? tickMs : 0);
    };
    upstream.on('data', framer((op, bytes) => {
      if (entriesLeft !== undefined && entriesLeft <= 0) return;
      if (op === SEARCH_RESULT_ENTRY && entriesLeft !== undefined) entriesLeft -= 1;
      if (op === SEARCH_RESULT_ENTRY && trickle !== undefined && (entriesSeen += 1) > trickle.after) trickling = true;
      queue.push(bytes);
      if (pumping === undefined) pumping = setTimeout(pump, trickling && trickle !== undefined ? trickle.everyMs : perTick > 0 ? tickMs : 0);
    }));
    client.on('data', framer((op, bytes) => {
      requests.set(op, (requests.get(op) ?? 0) + 1);
      upstream.write(bytes);
    }));
    let ended = false;
    const end = () => {
      if (!ended) open -= 1;
      ended = true;
      clearTimeout(pumping);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ldap://127.0.0.1:${listening}`,
    throttle(messages, ms) {
      perTick = messages;
      tickMs = ms;
    },
    muteAfter(entries) {
      entriesLeft = entries;
    },
    speak() {
      entriesLeft = undefined;
      trickle = undefined;
    },
    trickleAfter(entries, everyMs, bytes = 1) {
      trickle = { after: entries, everyMs, bytes };
    },
    requests: (op) => requests.get(op) ?? 0,
    get open() {
      return open;
    },
    get opened() {
      return opened;
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
