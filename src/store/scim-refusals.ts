/**
 * What the SCIM store refuses in a write, worded for the client: text
 * PostgreSQL cannot hold (refused on both back ends alike), and a key already
 * taken, the id or the case-insensitive unique name, as `store.conflict`.
 */
import { RosterError } from '../core/errors.js';
import { isStorableText } from '../core/text.js';
import { isUniqueViolation } from './errors.js';
import type { ScimWrite } from './types.js';

/** The unique index on (resource_type, lower(unique_name)); see migrations.ts. */
const NAME_INDEX = 'roster_scim_resources_name';

/** JSON escapes PostgreSQL's jsonb and text refuse (NUL, unpaired surrogates); only a hit needs the exact check. */
const SUSPECT_ESCAPE = /\\u(?:0000|d[89a-f])/i;

function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return !isStorableText(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  return Object.entries(value).some(([key, inner]) => !isStorableText(key) || hasUnstorableText(inner));
}

/**
 * The JSON text of `data`. Text PostgreSQL cannot hold is refused on both
 * back ends alike, so a resource never stores on one and fails on the other.
 */
export function storedJson(write: ScimWrite): string {
  const json = JSON.stringify(write.data);
  if (!isStorableText(write.uniqueName) || (SUSPECT_ESCAPE.test(json) && hasUnstorableText(write.data))) {
    throw new RosterError('request.invalid', `${write.resourceType} ${write.id}: text with U+0000 or an unpaired surrogate cannot be stored`, {
      details: { scimType: 'invalidValue' },
    });
  }
  return json;
}

/**
 * A refused key as `store.conflict`, told apart by the driver's report: the
 * primary key (a taken id) or the unique index on the name. `write` names the
 * value; without it (a PostgreSQL batch) the database's own detail does.
 */
export function asConflict(error: unknown, resourceType: string, write?: ScimWrite): unknown {
  if (!isUniqueViolation(error)) return error;
  const { code, constraint, detail } = error as { code?: string; constraint?: string; detail?: string };
  const onName = code === 'SQLITE_CONSTRAINT_UNIQUE' || constraint === NAME_INDEX;
  const message = write === undefined
    ? `a ${resourceType} in this batch is already taken${typeof detail === 'string' ? `: ${detail}` : ''}`
    : onName
      ? `a ${write.resourceType} named ${JSON.stringify(write.uniqueName)} already exists (names are compared case-insensitively)`
      : `${write.resourceType} ${JSON.stringify(write.id)} already exists`;
  return new RosterError('store.conflict', message, { cause: error, details: { scimType: 'uniqueness' } });
}

export async function conflictAware<T>(resourceType: string, write: ScimWrite | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asConflict(error, resourceType, write);
  }
}
