import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { elementLength } from './ber-frames.js';

/** LDAP protocol operation tags a server sends (RFC 4511). */
export const LDAP_OP = { searchResultEntry: 0x64, searchResultDone: 0x65, intermediateResponse: 0x79 } as const;

export interface LdapCounter {
  /** ldap:// URL of the proxy. */
  readonly url: string;
  /** Messages the server sent since the last reset, by protocol operation tag (and, given `containing`, only those whose bytes hold that text, e.g. a control's OID). */
  count(op: number, containing?: string): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of an LDAP server (plain ldap:// only) that counts the
 * messages the server sends by protocol operation: a test sees how many
 * entries a search really brought over the wire.
 */
export async function startLdapCounter(target: string): Promise<LdapCounter> {
  const { hostname, port } = new URL(target);
  const messages: { readonly op: number; readonly bytes: Buffer }[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const message = elementLength(pending, 0);
        if (message === undefined || pending.length < message.header + message.content) break;
        // LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp, controls [0] OPTIONAL }
        const id = elementLength(pending, message.header);
        if (id !== undefined) {
          const op = pending[message.header + id.header + id.content];
          if (op !== undefined) messages.push({ op, bytes: Buffer.from(pending.subarray(0, message.header + message.content)) });
        }
        pending = pending.subarray(message.header + message.content);
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    const end = () => {
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
    count: (op, containing) => messages.filter((m) => m.op === op && (containing === undefined || m.bytes.includes(containing))).length,
    reset: () => { messages.length = 0; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
