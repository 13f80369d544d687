import { RosterError, isRosterError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { describePostgres, openPostgres } from './postgres.js';
import { createSqlStore } from './sql-store.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './types.js';

export type {
  AccountStore, ApiToken, AuditStore, CancelFilter, CancelOptions, EnqueueJob, IdentityStore, JobEffects, PlanStore, QueueStats, QueueStore,
  ScimQuery, ScimResource, ScimStore, ScimWrite, StateStore, Store, TokenStore,
} from './types.js';
export type { PlanListOptions } from './plans.js';

export interface OpenStoreOptions {
  /** Directory relative `sqlite:` paths are resolved against (default: the working directory). */
  readonly baseDir?: string;
}

function backendFor(url: string, options: OpenStoreOptions): Backend {
  if (url.startsWith('sqlite:')) {
    const location = url.slice('sqlite:'.length);
    if (location === '') throw new RosterError('config.invalid', 'store url sqlite: needs a path or :memory:');
    return openSqlite(location, options.baseDir ?? process.cwd());
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new RosterError('config.invalid', 'store url must start with sqlite: or postgres://');
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '57P03', 'SQLITE_BUSY']);

function isConnectionError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code);
}

/**
 * Opens the store at `url` and brings its schema up to date:
 * `sqlite:<path>` (parent directory created), `sqlite::memory:`, or
 * `postgres://user@host:port/db[?schema=name]` (tables in that schema, created if missing).
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  let backend: Backend | undefined;
  try {
    backend = backendFor(url, options);
    await backend.migrate();
  } catch (error) {
    await backend?.close().catch(() => undefined);
    if (isRosterError(error)) throw error;
    const where = url.startsWith('sqlite:') ? url : describePostgres(url);
    const message = error instanceof Error ? error.message : String(error);
    throw new RosterError('store.unavailable', `cannot open the store at ${where}: ${message}`, { retryable: isConnectionError(error), cause: error });
  }
  return createSqlStore(backend);
}
