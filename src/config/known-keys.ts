import type { z } from 'zod';

/**
 * "unknown key 'shedule' (did you mean 'schedule'?)": the keys a schema
 * allows at a path, and the closest one to a misspelt key.
 */

// The parts of zod 4's schema definitions we walk (`schema.def`); zod's own
// def types are a union too wide to narrow conveniently here.
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { readonly def: SchemaDef }).def;
}

function unwrap(schema: z.ZodType): SchemaDef {
  let def = defOf(schema);
  for (let depth = 0; depth < 10; depth++) {
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in && def.out) def = defOf(defOf(def.in).type === 'transform' ? def.out : def.in);
    else break;
  }
  return def;
}

export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): readonly string[] | undefined {
  let def = unwrap(schema);
  for (const segment of path) {
    const next =
      def.type === 'object' ? def.shape?.[String(segment)] : def.type === 'array' ? def.element : def.type === 'record' ? def.valueType : undefined;
    if (next === undefined) return undefined;
    def = unwrap(next);
  }
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The allowed key closest to `key`, if it is close enough to be a typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Every path, below `schema`, of a mapping that allows `key` (through nested
 * mappings and each form of a union, not into lists or free-form maps, at most
 * `depth` levels down): where a key written in the wrong place belongs.
 */
export function keyPaths(schema: z.ZodType, key: string, depth = 4): string[][] {
  const found: string[][] = [];
  const walk = (def: SchemaDef, at: readonly string[]): void => {
    if (def.type === 'union') {
      for (const option of def.options ?? []) walk(unwrap(option), at);
      return;
    }
    if (def.type !== 'object' || def.shape === undefined) return;
    if (Object.hasOwn(def.shape, key) && !found.some((p) => p.join('.') === at.join('.'))) found.push([...at]);
    if (at.length >= depth) return;
    for (const [name, child] of Object.entries(def.shape)) walk(unwrap(child), [...at, name]);
  };
  walk(unwrap(schema), []);
  return found.map((parent) => [...parent, key]);
}
