import { connect, createServer, type Server, type Socket } from 'node:net';
import { frameLength } from './ber-frames.js';

/**
 * A man in the middle for tests of what crosses the network to a directory:
 * a TCP proxy on 127.0.0.1 in front of a real server that records every byte
 * the client sends, per connection. With `startTLS` other than `pass` it
 * answers the StartTLS request itself instead of forwarding it (a
 * downgrade attack): with an LDAP error, by closing the connection, or with
 * "success" followed by plain LDAP (no TLS at all). Everything else is
 * forwarded as it is, so a client that went on without TLS would reach the
 * real server, password and all.
 */
export type StartTlsAnswer = 'pass' | { readonly resultCode: number; readonly diagnostic?: string } | 'close' | 'success-then-plain';

export interface LdapMitm {
  readonly port: number;
  readonly url: string;
  /** What each client connection sent, in the order they were opened (plain bytes as seen on the wire). */
  readonly sent: Buffer[][];
  /** Everything every client sent, one buffer. */
  wire(): Buffer;
  /** Close every connection now (a restart or a network cut, as the client sees it). */
  cut(): void;
  /** From now on, forward nothing more the open connections send (a server that stopped answering them); new connections are not held. */
  hold(): void;
  /**
   * The next `writes` client writes reach the server; the server's answer to
   * the last is never delivered and every connection is cut instead: a
   * network that failed after the server applied a request, before its reply.
   * Counted in TCP writes, so it works through TLS untouched (a bound
   * connection sends one LDAP request per write, one TLS record each).
   */
  loseReplyTo(writes: number): void;
  close(): Promise<void>;
}

const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';

/** An ExtendedResponse (APPLICATION 24) to `messageId` with `resultCode` and a diagnostic message. */
function extendedResponse(messageId: number, resultCode: number, diagnostic: string): Buffer {
  const text = Buffer.from(diagnostic, 'utf8');
  const op = Buffer.concat([Buffer.from([0x0a, 0x01, resultCode, 0x04, 0x00, 0x04, text.length]), text]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, messageId, 0x78, op.length]), op]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

export async function startLdapMitm(upstreamPort: number, startTLS: StartTlsAnswer = 'pass'): Promise<LdapMitm> {
  const sent: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const holds: (() => void)[] = [];
  /** loseReplyTo: writes still to forward before the reply to lose; then whether the next upstream data is lost. */
  let losing: number | undefined;
  let cutOnReply = false;
  const cutAll = () => { for (const socket of sockets) socket.destroy(); };
  const server: Server = createServer((client) => {
    const record: Buffer[] = [];
    sent.push(record);
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
    client.on('close', () => upstream.destroy());
    upstream.on('data', (chunk: Buffer) => {
      if (!cutOnReply) return void client.write(chunk);
      cutOnReply = false;
      cutAll();
    });
    let pending = Buffer.alloc(0);
    let intercepting = startTLS !== 'pass';
    let held = false;
    holds.push(() => { held = true; });
    client.on('data', (chunk: Buffer) => {
      record.push(chunk);
      if (held) return;
      if (!intercepting) {
        upstream.write(chunk);
        if (losing !== undefined && --losing === 0) {
          losing = undefined;
          cutOnReply = true;
        }
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const length = frameLength(pending);
      if (length === undefined || pending.length < length) return;
      const frame = pending.subarray(0, length);
      const rest = pending.subarray(length);
      intercepting = false;
      if (!frame.includes(Buffer.from(STARTTLS_OID))) {
        upstream.write(pending);
        return;
      }
      const messageId = frame[4] ?? 0;
      if (startTLS === 'close') {
        client.destroy();
      } else if (startTLS === 'success-then-plain') {
        client.write(extendedResponse(messageId, 0, ''));
      } else if (typeof startTLS === 'object') {
        client.write(extendedResponse(messageId, startTLS.resultCode, startTLS.diagnostic ?? ''));
      }
      if (rest.length > 0) upstream.write(rest);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: `ldap://127.0.0.1:${port}`,
    sent,
    wire: () => Buffer.concat(sent.flat()),
    cut: cutAll,
    loseReplyTo: (writes) => { losing = writes; },
    hold: () => { for (const hold of holds.splice(0)) hold(); },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
