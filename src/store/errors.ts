import { RosterError } from '../core/errors.js';

/** A unique or primary key violation, from either driver. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs a write, turning a key violation into `store.conflict`. */
export async function conflictAsError<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new RosterError('store.conflict', `${what} already exists`, { cause: error });
    throw error;
  }
}
