import type { Socket } from 'node:net';
import { AbandonRequest, type SearchRequest, type SearchResponse } from 'ldapts';

/** What sendIdle uses of an ldapts Client (checked by the caller before use). */
export interface IdleSendInternals {
  _nextMessageId(): number;
  _send(request: SearchRequest | AbandonRequest): Promise<SearchResponse | undefined>;
  readonly clientOptions: { timeout?: number };
  readonly socket?: Socket;
}

/** The longest wait for an Abandon to be written before the connection is closed anyway. */
const ABANDON_WRITE_MS = 1000;

/** The error of a search the server stopped answering; its message reads as a timeout (pool.ts, errors.ts). */
export class IdleTimeoutError extends Error {
  constructor(idleMs: number) {
    super(`SearchRequest: the server sent nothing for ${idleMs} ms in the middle of a search (timeoutMs): Operation timed out; the search was abandoned and its connection closed`);
  }
}

/**
 * Send a search whose answer may take far longer than `timeoutMs` in all (a
 * sync refresh of a large directory over a slow link) and time it out only
 * when the server sends nothing for `timeoutMs`: the timer restarts on every
 * byte that comes on the connection and on every message of the search
 * (`touch`, called by the caller's message parser). ldapts times a whole
 * operation instead, so its own timer is kept off for this one request
 * (its `timeout` option is read once, when the request is sent).
 *
 * A search that goes quiet for that long is given up: an Abandon goes to the
 * server (so a slow but living server stops working on it and sending), then
 * the connection is closed, as ldapts does with any operation that times out.
 * Nothing later read on it could be trusted, and a pool drops a connection
 * that is no longer bound and opens a fresh one. The returned promise then
 * rejects with IdleTimeoutError, after the connection is closed.
 */
export function sendIdle(internals: IdleSendInternals, request: SearchRequest): { readonly done: Promise<SearchResponse | undefined>; touch(): void } {
  const idleMs = internals.clientOptions.timeout ?? 0;
  const socket = internals.socket;
  const options = internals.clientOptions;
  options.timeout = 0;
  let sent: Promise<SearchResponse | undefined>;
  try {
    sent = internals._send(request);
  } finally {
    options.timeout = idleMs;
  }
  if (idleMs <= 0) return { done: sent, touch: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let expire: () => void = () => undefined;
  const quiet = new Promise<'quiet'>((resolve) => { expire = () => resolve('quiet'); });
  const touch = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(expire, idleMs);
  };
  timer = setTimeout(expire, idleMs);
  socket?.on('data', touch);
  const stop = (): void => {
    clearTimeout(timer);
    timer = undefined;
    socket?.off('data', touch);
  };
  const done = (async () => {
    try {
      const first = await Promise.race([sent, quiet]);
      if (first !== 'quiet') return first;
    } finally {
      stop();
    }
    // The search's own promise rejects when the connection closes below: that is expected now.
    sent.catch(() => undefined);
    await giveUp(internals, request, socket);
    throw new IdleTimeoutError(idleMs);
  })();
  return { done, touch };
}

/** Abandon the search (best effort, briefly), then close its connection. */
async function giveUp(internals: IdleSendInternals, request: SearchRequest, socket: Socket | undefined): Promise<void> {
  try {
    const abandon = new AbandonRequest({ messageId: internals._nextMessageId(), abandonId: request.messageId });
    // ldapts resolves an Abandon once it is written; a server that reads nothing may never let it be.
    await Promise.race([internals._send(abandon).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ABANDON_WRITE_MS).unref())]);
  } catch {
    // No connection left to write on: closing it below is all there is to do.
  }
  if (socket === undefined || socket.closed) return;
  // ldapts marks the client unbound, and fails whatever else was waiting on the connection, when the socket says it closed.
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.end();
  socket.destroy();
  await closed;
}
