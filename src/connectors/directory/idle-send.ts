import type { Socket } from 'node:net';
import { AbandonRequest, type SearchRequest, type SearchResponse } from 'ldapts';

/** What sendIdle uses of an ldapts Client (checked by the caller before use). */
export interface IdleSendInternals {
  _nextMessageId(): number;
  _send(request: SearchRequest | AbandonRequest): Promise<SearchResponse | undefined>;
  readonly clientOptions: { timeout?: number };
  readonly socket?: Socket;
}

/**
 * Bytes that count as progress without a whole message: a large entry over
 * a slow link keeps the search alive while at least this much of it comes
 * every timeoutMs; a server trickling a byte now and then does not.
 */
export const PROGRESS_BYTES = 512;

/** The longest wait for an Abandon to be written before the connection is closed anyway. */
const ABANDON_WRITE_MS = 1000;

/** The error of a search the server stopped answering; its message reads as a timeout (pool.ts, errors.ts). */
export class IdleTimeoutError extends Error {
  constructor(idleMs: number) {
    super(`SearchRequest: the server sent nothing for ${idleMs} ms in the middle of a search (timeoutMs; no message and fewer than ${PROGRESS_BYTES} bytes): Operation timed out; the search was abandoned and its connection closed`);
  }
}

/**
 * Send a search whose answer may take far longer than `timeoutMs` in all (a
 * sync refresh of a large directory over a slow link) and time it out only
 * when the server gets nowhere for `timeoutMs`: the timer restarts on every
 * message of the search (`touch`, called by the caller's message parser)
 * and on every PROGRESS_BYTES that come on the connection (part of a large
 * entry). A server that trickles a byte every timeoutMs / 2 is never silent
 * for timeoutMs, yet would hold the pass forever: it is timed out as a
 * silent one is, timeoutMs after its last message. ldapts times a whole
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
  /** Bytes come since the timer last restarted. */
  let bytes = 0;
  const touch = (): void => {
    if (timer === undefined) return;
    bytes = 0;
    clearTimeout(timer);
    timer = setTimeout(expire, idleMs);
  };
  const received = (chunk: Buffer | string): void => {
    bytes += chunk.length;
    if (bytes >= PROGRESS_BYTES) touch();
  };
  timer = setTimeout(expire, idleMs);
  socket?.on('data', received);
  const stop = (): void => {
    clearTimeout(timer);
    timer = undefined;
    socket?.off('data', received);
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
