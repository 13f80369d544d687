/**
 * The smallest HTTP/1.1 client a closed-loop benchmark needs: one keep-alive
 * socket, one request at a time, responses framed by Content-Length. Node's
 * http client costs about as much CPU per request as a fast server, so on a
 * 2-core machine it would be part of what is measured; this costs a fraction.
 * Anything it does not understand (a chunked or unframed body, a closed
 * socket) is reported as status 0, never guessed at.
 */
import { connect, type Socket } from 'node:net';

export interface Http1Response {
  readonly status: number;
  readonly body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;
const FAILED: Http1Response = { status: 0, body: Buffer.alloc(0) };

interface Pending {
  readonly resolve: (response: Http1Response) => void;
  /** HEAD and 204/304 answers carry no body whatever their headers say. */
  readonly noBody: boolean;
}

export class Http1Connection {
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
  #buffered: Buffer = Buffer.alloc(0);
  #pending: Pending | undefined;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  /** Sends one request (`head` without the blank line) and waits for its whole response. */
  send(method: string, head: string, body?: string): Promise<Http1Response> {
    const socket = this.#socket ?? this.#open();
    return new Promise((resolve) => {
      this.#pending = { resolve, noBody: method === 'HEAD' };
      const length = body === undefined ? '' : `content-length: ${Buffer.byteLength(body)}\r\n`;
      socket.write(`${head}${length}\r\n${body ?? ''}`);
    });
  }

  close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#buffered = Buffer.alloc(0);
    socket?.destroy();
  }

  #open(): Socket {
    const socket = connect({ host: this.#host, port: this.#port, noDelay: true });
    // A socket given up on (closed, or replaced after `connection: close`) no longer speaks for this connection.
    socket.on('data', (chunk: Buffer) => {
      if (this.#socket !== socket) return;
      this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
      this.#parse();
    });
    const fail = (): void => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#buffered = Buffer.alloc(0);
      this.#settle(FAILED);
    };
    socket.on('error', fail);
    socket.on('close', fail);
    this.#socket = socket;
    return socket;
  }

  #parse(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const headEnd = this.#buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.#buffered.toString('latin1', 0, headEnd);
    const status = Number(STATUS_LINE.exec(head)?.[1] ?? 0);
    const bodyless = pending.noBody || status === 204 || status === 304;
    const length = bodyless ? 0 : Number(CONTENT_LENGTH.exec(head)?.[1] ?? Number.NaN);
    if (status === 0 || Number.isNaN(length)) {
      this.close();
      this.#settle(FAILED);
      return;
    }
    const end = headEnd + HEAD_END.length + length;
    if (this.#buffered.length < end) return;
    const body = this.#buffered.subarray(headEnd + HEAD_END.length, end);
    if (CLOSE.test(head)) this.close();
    else this.#buffered = this.#buffered.subarray(end);
    this.#settle({ status, body });
  }

  #settle(response: Http1Response): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve(response);
  }
}
