import { createHash } from 'node:crypto';
import type { SourceConfig } from '../../config/types.js';
import { dnKey } from './mapping.js';
import type { MappingRules } from './settings.js';

/**
 * What a stored cursor is a cursor of: the source's base, filter, key and
 * mapping (attributes, fields, the disabled status), as a short digest kept
 * on the cursor. An incremental pass reads only what changed since the
 * cursor, so a cursor taken under another base or filter would never read
 * the people the new one takes in (unchanged, they are not "changed
 * since"), nor a newly mapped attribute of anyone unchanged, nor (its maps
 * keyed by the old key) tell leavers right: such a cursor is not used, and
 * the pass reads in full. Left out: the URL (another server of the same
 * directory is the cursor's own question: an AD cursor names its DC, a
 * syncrepl cookie is refused by a server that cannot use it) and
 * `lifecycle.timezone` (the engine's; a caller reading a source on its own
 * may not pass it).
 */
export function cursorScope(source: Pick<SourceConfig, 'type' | 'changes'> & { readonly connection?: { readonly base: string } | undefined },
  rules: MappingRules, filter: string): string {
  const base = source.connection?.base ?? '';
  const attributes = Object.entries(rules.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fields = Object.entries(rules.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = JSON.stringify([
    source.type, source.changes ?? 'timestamp', dnKey(base) ?? base, filter, rules.key.toLowerCase(), attributes, fields, rules.disabledStatus,
  ]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/**
 * Whether a stored cursor was taken under `scope`. A cursor stored before
 * cursors had one (no `scope`) is taken as this source's, as it was.
 */
export function isCursorOf(stored: unknown, scope: string): boolean {
  if (typeof stored !== 'object' || stored === null) return true;
  const value = (stored as { readonly scope?: unknown }).scope;
  return value === undefined || value === scope;
}

/** The cursor with its scope, to store. */
export function withScope<T extends object>(cursor: T | undefined, scope: string): (T & { readonly scope: string }) | undefined {
  return cursor === undefined ? undefined : { ...cursor, scope };
}
