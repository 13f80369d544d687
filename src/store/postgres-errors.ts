import type pg from 'pg';
import { RosterError } from '../core/errors.js';

/**
 * PostgreSQL errors that say the database, not the statement, failed: the
 * connection was lost or refused (a server restart or failover,
 * pg_terminate_backend, an idle or idle-in-transaction timeout, a network
 * cut), the server is starting or out of connections, a statement was
 * cancelled (statement_timeout), or the transaction lost a deadlock or a
 * serialisation race. Trying again can succeed.
 */
const RETRYABLE_CODES = new Set([
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
  '57P01', '57P02', '57P03', '57P05', // admin / crash shutdown, cannot connect now, idle session timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too many connections
  '57014', // query cancelled (statement_timeout)
  '40001', '40P01', // serialisation failure, deadlock
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
]);

/** node-postgres's own errors for a connection that ended under it: they carry no code. */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|Client was closed|Connection ended)/;

export function isRetryablePostgresError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return RETRYABLE_CODES.has(code);
  return LOST_CONNECTION.test(error.message);
}

/** A retryable failure as `store.unavailable` (retryable, naming where the database is, never the password); any other error as it is. */
export function asStoreError(error: unknown, where: string): unknown {
  if (!isRetryablePostgresError(error)) return error;
  return new RosterError('store.unavailable', `the store at ${where} is unavailable: ${(error as Error).message}`, { retryable: true, cause: error });
}

/**
 * Every client of the pool, once connected: an error event never goes
 * unheard, and its queries fail with `asStoreError`.
 *
 * The pool listens for errors only while a client is idle; a checked-out
 * client (a transaction between two statements, a query running) whose
 * connection dies emits 'error' with no listener, which throws and ends
 * the process. With a listener the error reaches the query running (or the
 * next one: "not queryable"), and the pool discards the client on release.
 */
export function guardClient(client: pg.PoolClient, where: string): void {
  client.on('error', () => undefined);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]): unknown => {
    const result = query(...args);
    return result instanceof Promise ? result.catch((error: unknown) => { throw asStoreError(error, where); }) : result;
  };
}
