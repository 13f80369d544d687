/**
 * For the tests of the canonical JSON (chain.oracle.test.ts): the serialiser
 * as it was before its fast path (audit entries written before that change
 * were hashed with it, so it is the definition the new one must match,
 * byte for byte), and seeded generators of awkward values and entries.
 */
import { createHash } from 'node:crypto';
import type { AuditEntryInput } from '../core/types.js';

// ---- The oracle: src/audit/chain.ts serialise() and canonicalEntryJson() before the fast path, verbatim. ----

function oracleSerialise(input: unknown): string | undefined {
  if (input === null) return 'null';
  switch (typeof input) {
    case 'string':
      return JSON.stringify(input);
    case 'boolean':
      return input ? 'true' : 'false';
    case 'number':
      return Number.isFinite(input) ? JSON.stringify(input) : 'null';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not serialisable');
    case 'object': {
      const toJson = (input as { toJSON?: unknown }).toJSON;
      if (typeof toJson === 'function') return oracleSerialise((toJson as () => unknown).call(input));
      return Array.isArray(input) ? oracleArray(input) : oracleObject(input as Record<string, unknown>);
    }
    default:
      return undefined;
  }
}

function oracleArray(values: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i++) text += `${i === 0 ? '' : ','}${oracleSerialise(values[i]) ?? 'null'}`;
  return `${text}]`;
}

function oracleObject(value: Readonly<Record<string, unknown>>): string {
  let text = '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const item = oracleSerialise(value[key]);
    if (item === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${text}}`;
}

export function oracleCanonicalOrUndefined(value: unknown): string | undefined {
  return oracleSerialise(value);
}

export function oracleCanonicalJson(value: unknown): string {
  return oracleSerialise(value) ?? 'null';
}

interface OracleFields {
  readonly seq: number; readonly at: string; readonly kind: string; readonly actor: string; readonly identity?: string; readonly target?: string;
  readonly reasons?: string; readonly before?: string; readonly after?: string; readonly data?: string;
}

export function oracleEntryJson(fields: OracleFields): string {
  const part = (key: string, text: string | undefined) => (text === undefined ? '' : `,"${key}":${text}`);
  const optionalString = (key: string, value: string | undefined) => (value === undefined ? '' : `,"${key}":${JSON.stringify(value)}`);
  return `{"actor":${JSON.stringify(fields.actor)}${part('after', fields.after)},"at":${JSON.stringify(fields.at)}`
    + `${part('before', fields.before)}${part('data', fields.data)}${optionalString('identity', fields.identity)}`
    + `,"kind":${JSON.stringify(fields.kind)}${part('reasons', fields.reasons)},"seq":${JSON.stringify(fields.seq)}`
    + `${optionalString('target', fields.target)}}`;
}

/** sha256 hex over prevHash then the canonical entry, through a Hash object (not the one-shot chain.ts uses). */
export function oracleChainHash(prevHash: string, canonicalEntry: string): string {
  return createHash('sha256').update(prevHash + canonicalEntry, 'utf8').digest('hex');
}

// ---- Seeded generators. ----

/** mulberry32: the same sequence for the same seed, on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Keys whose code-unit order differs from locale order, array indices ("10" before "2" by code unit, after it as an index), '__proto__'. */
const KEYS = [
  'a', 'B', 'b', 'Z', '_', 'é', 'e', 'E', 'Ä', 'z', '\u00df', '\uff01', '\ud83d\ude00', '\ufb33', '\u20ac', '\r', '', ' ', 'a b',
  '0', '1', '2', '10', '01', '-1', '1.5', '4294967294', '4294967295', '__proto__', 'constructor', 'toString', 'toJSON_', 'hasOwnProperty',
  'accountId', 'attributes', 'displayName', 'givenName', 'sn', 'cn', 'uid', 'enabled', 'planId', 'changeId', '\ud800', '\udc00x', 'k"q', 'back\\slash',
];

const STRINGS = [
  '', 'plain', 'Thảo Đặng', 'Björn Groß', '李 伟', 'with "quotes"', 'back\\slash', 'new\nline', 'tab\t', '\u0000nul', '\u001f', '\u007f',
  '\u2028\u2029', '\ud83d\ude00', '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '</script>', 'é'.normalize('NFD'), 'x'.repeat(300),
];

const NUMBERS = [0, -0, 1, -1, 1.5, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, Number.NaN, Infinity, -Infinity, 333333333.33333329];

class Point {
  constructor(readonly x: number, readonly y: number) {}
  get sum(): number {
    return this.x + this.y;
  }
}

/** A random value of depth at most `depth`, from every kind canonicalJson is asked to handle (never BigInt, never a cycle). */
export function randomValue(random: () => number, depth: number): unknown {
  const leaf = depth <= 0 || random() < 0.35;
  const choice = Math.floor(random() * (leaf ? 9 : 16));
  switch (choice) {
    case 0: return pick(random, STRINGS);
    case 1: return pick(random, NUMBERS);
    case 2: return random() < 0.5;
    case 3: return null;
    case 4: return undefined;
    case 5: return pick(random, [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), new Date(Number.NaN), new Date(-1e14)]);
    case 6: return pick(random, [() => 1, Symbol('s'), new String('ab'), new Number(-0), new Boolean(false), new Map([[1, 2]]), new Set([1]), new Uint8Array([1, 2])]);
    case 7: return pick(random, [{}, [], Object.create(null) as object, new Point(1, 2)]);
    case 8: return `${pick(random, STRINGS)}${pick(random, STRINGS)}`; // a cons string, as templates build them
    case 9:
    case 10: {
      const items: unknown[] = [];
      const length = Math.floor(random() * 6);
      for (let i = 0; i < length; i++) items.push(randomValue(random, depth - 1));
      if (random() < 0.1) items[length + 2] = 'after a hole'; // sparse
      return items;
    }
    case 11: {
      // toJSON: returning a plain value, another object with toJSON, undefined, a function
      const inner = randomValue(random, depth - 1);
      const result = random() < 0.2 ? { toJSON: () => inner } : inner;
      return { toJSON: () => result, ignored: 1 };
    }
    default: return randomObject(random, depth);
  }
}

function randomObject(random: () => number, depth: number): object {
  const kind = random();
  const object: Record<string, unknown> = kind < 0.1 ? Object.create(null) as Record<string, unknown> : {};
  const count = Math.floor(random() * 8);
  for (let i = 0; i < count; i++) {
    // defineProperty: a '__proto__' key becomes an own property, as JSON.parse makes it
    Object.defineProperty(object, pick(random, KEYS), { value: randomValue(random, depth - 1), enumerable: true, configurable: true, writable: true });
  }
  if (random() < 0.05) Object.defineProperty(object, 'hidden', { value: 'not enumerable', enumerable: false });
  if (random() < 0.05) Object.defineProperty(object, 'getter', { get: () => 'from a getter', enumerable: true });
  if (random() < 0.05) (object as Record<symbol, unknown>)[Symbol('key')] = 'a symbol key';
  return object;
}

const NAMES = ['Thảo Đặng', 'Élodie Girard', 'Björn Groß', 'Emily Brown', '李 伟', "Seán O'Brien"];

/** An entry shaped like the engine's (lifecycle events, change.applied) or, one time in four, made of random values. */
export function randomEntry(random: () => number, n: number): AuditEntryInput {
  const name = pick(random, NAMES);
  const id = `E${String(n).padStart(6, '0')}`;
  const shape = random();
  if (shape < 0.35) {
    return { kind: 'lifecycle.joiner', actor: 'bench', identity: id, reasons: ['joiner'], data: { effectiveAt: '2026-11-27T12:00:00.000Z', changes: undefined } };
  }
  if (shape < 0.75) {
    const uid = name.toLowerCase().replace(/[^a-z]+/g, '.');
    const attributes = { uid, cn: name, sn: name.split(' ')[1], employeeNumber: id, givenName: name.split(' ')[0], displayName: name, email: `${uid}@example.com` };
    return {
      kind: 'change.applied', actor: 'executor:vm:9291:9272ea5a', identity: id, target: 'directory', reasons: ['joiner'],
      before: null, after: { accountId: uid, enabled: true, attributes }, data: { planId: 'p-1', changeId: `directory:${id}:create`, action: 'create', accountId: uid },
    };
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : String(n));
  return {
    kind: text(pick(random, ['identity.mover', 'odd\u0000kind', 'lone\ud800'])), actor: text(pick(random, STRINGS)),
    ...(random() < 0.5 ? { identity: pick(random, STRINGS) } : {}), ...(random() < 0.3 ? { target: pick(random, STRINGS) } : {}),
    ...(random() < 0.5 ? { reasons: [pick(random, STRINGS), 'r'] } : {}),
    before: randomValue(random, 3), after: randomValue(random, 3), data: randomValue(random, 4),
  };
}
