import { formatPath, type PathSegment, type ProblemLocator } from './problems.js';
import type { DeferredReference } from './substitute.js';
import type { MissingSecret } from './types.js';

/**
 * Secrets of a connection that only the commands opening it need.
 *
 * A `${env:NAME}` / `${file:PATH}` inside a source's or a target's
 * `connection:` block is read by nothing but that source's reader or that
 * target's connector. When the engine loads the configuration (not
 * `roster validate`, which reports every one), such a reference that cannot
 * be resolved does not fail the load: it is recorded as a MissingSecret of
 * its source or target, and the engine refuses to open that connection
 * (engine/missing-secrets.ts), naming the variable. Everything else in the
 * file is resolved and checked as before.
 */

/** `sources[i].connection…` or `targets[i].connection…`. */
export function isConnectionPath(path: readonly PathSegment[]): boolean {
  return (path[0] === 'sources' || path[0] === 'targets') && typeof path[1] === 'number' && path[2] === 'connection';
}

/** The source or target a connection path belongs to, by id (by index when it has no id string). */
export function connectionOwner(value: unknown, path: readonly PathSegment[]): MissingSecret['owner'] | undefined {
  if (!isConnectionPath(path)) return undefined;
  const list = (value as Record<string, unknown> | undefined)?.[path[0] as string];
  const id = Array.isArray(list) ? (list[path[1] as number] as { id?: unknown } | undefined)?.id : undefined;
  return { kind: path[0] === 'sources' ? 'source' : 'target', id: typeof id === 'string' ? id : `#${String(path[1])}` };
}

/** "(needed by target corp-ldap)": what `roster validate` adds to an unresolved connection secret. */
export function neededBy(value: unknown, path: readonly PathSegment[]): string {
  const owner = connectionOwner(value, path);
  return owner === undefined ? '' : ` (needed by ${owner.kind} ${owner.id})`;
}

export function missingSecrets(deferred: readonly DeferredReference[], value: unknown, locator: ProblemLocator): MissingSecret[] {
  return deferred.flatMap((d) => {
    const owner = connectionOwner(value, d.path);
    if (owner === undefined) return [];
    const at = locator.at(d.path, d.message);
    return [{ owner, reference: d.reference, message: d.message, path: formatPath(d.path), at: `${at.file}:${at.line}:${at.column}` }];
  });
}
