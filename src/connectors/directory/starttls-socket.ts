import { connect, Socket } from 'node:net';
import type { Client } from 'ldapts';

/**
 * net.connect for a StartTLS client: its first connection, and no other.
 * ldapts reopens a closed connection by itself when the next request finds
 * it closed: in plain TCP, without StartTLS, and without binding (it
 * replays no bind made after StartTLS), so that request, and every value in
 * it (a filter, a new entry, a password), would cross the network in clear.
 * A later connection fails at once as closed instead; the pool then opens a
 * fresh client, which does StartTLS before it binds.
 */
export function firstConnectionOnly(): typeof connect {
  let opened = false;
  return ((port: number, host: string): Socket => {
    if (!opened) {
      opened = true;
      return connect(port, host);
    }
    const refused = new Socket();
    refused.destroy(new Error('the connection to the directory closed; not reopened without StartTLS (a fresh connection does StartTLS and binds again)'));
    return refused;
  }) as typeof connect;
}

/** The ldapts internals closeWithTlsSocket uses (ldapts 8). */
interface ClientInternals {
  readonly socket?: Socket;
  _destroySocket?(socket: Socket): void;
}

/**
 * After StartTLS, ldapts listens for the close of the plain socket it
 * started with, not of the TLS socket that replaced it: when the server
 * closes the connection (a restart, an idle timeout) the client still says
 * it is connected and bound, so the pool kept it and every request on it
 * waited for timeoutMs. When the TLS socket closes, the client is marked
 * closed as ldapts marks a plain one: the pool sees it unbound and opens a
 * fresh connection (firstConnectionOnly keeps ldapts from reopening it).
 */
export function closeWithTlsSocket(client: Client): void {
  const internals = client as unknown as ClientInternals;
  const socket = internals.socket;
  if (socket === undefined) return;
  const closed = (): void => {
    if (internals.socket !== socket) return;
    if (typeof internals._destroySocket === 'function') internals._destroySocket(socket);
    else void client.unbind().catch(() => undefined);
  };
  if (socket.destroyed) closed();
  else socket.once('close', closed);
}
