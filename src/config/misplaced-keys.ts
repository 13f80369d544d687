import type { z } from 'zod';
import { keyPaths } from './known-keys.js';
import { formatPath, type PathSegment } from './problems.js';
import { targetSchema } from './schema.js';

/**
 * "unknown key 'maxMoves' (it belongs at targets[0].safety.maxMoves)": a key
 * written at the wrong level of a target (`passwords` or `placement` beside
 * `connection:` instead of in it, `maxMoves` outside `safety:`, `url` outside
 * `connection:`) is found where the target's schema does allow it: the
 * target's own keys, and its `connection:` by its type's schema
 * (connectors/<type>/config.ts).
 */

/** The paths in the file where an unknown `key` found at `path` belongs; [] when none is known. */
export type KeyPlaces = (path: readonly PathSegment[], key: string) => readonly string[];

/** At most this many places are named: a name found in more says little about which was meant. */
const MAX_PLACES = 3;

/**
 * `typeOf(i)`: the `type:` written for target `i` (its connection schema is
 * that type's; an unknown type's connection is not searched).
 */
export function targetKeyPlaces(connectionSchemas: Readonly<Record<string, z.ZodType>>, typeOf: (index: number) => unknown): KeyPlaces {
  return (path, key) => {
    const index = path[1];
    if (path[0] !== 'targets' || typeof index !== 'number') return [];
    const type = typeOf(index);
    const connection = typeof type === 'string' && Object.hasOwn(connectionSchemas, type) ? connectionSchemas[type] : undefined;
    const places = [
      ...keyPaths(targetSchema, key),
      ...(connection === undefined ? [] : keyPaths(connection, key).map((p) => ['connection', ...p])),
    ];
    // Where it was written (another form of a union there, `disable: { strategy: … }`) is not elsewhere.
    const here = formatPath(path.slice(2));
    const elsewhere = places.filter((p) => formatPath(p.slice(0, -1)) !== here);
    return elsewhere.length > MAX_PLACES ? [] : elsewhere.map((p) => formatPath(['targets', index, ...p]));
  };
}

/** The raw (not yet validated) `type:` of target `index`. */
export function rawTargetType(input: unknown, index: number): unknown {
  const targets = (input as { targets?: unknown } | null | undefined)?.targets;
  return Array.isArray(targets) ? (targets[index] as { type?: unknown } | null | undefined)?.type : undefined;
}
