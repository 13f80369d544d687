import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, AuditEntryInput } from '../core/types.js';
import { storableText } from '../core/text.js';
import { openStore } from '../store/index.js';
import { asStored, optional, present } from '../store/json.js';
import { GENESIS_HASH, canonicalEntryJson, canonicalJson, canonicalOrUndefined, chainHash } from './chain.js';
import {
  oracleCanonicalJson, oracleCanonicalOrUndefined, oracleChainHash, oracleEntryJson, randomEntry, randomValue, seededRandom,
} from './testing-canonical.js';
import { verifyAudit } from './verify.js';

/** What a call gives: its text, or the error it throws (class and message). */
function outcome(f: () => string | undefined): string | undefined {
  try {
    return f();
  } catch (error) {
    return `THROWS ${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

function expectSameAsOracle(value: unknown): void {
  expect(outcome(() => canonicalOrUndefined(value))).toBe(outcome(() => oracleCanonicalOrUndefined(value)));
  expect(outcome(() => canonicalJson(value))).toBe(outcome(() => oracleCanonicalJson(value)));
}

const protoKey = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;

/** Values picked by hand: each rule of JSON.stringify and each way a plain-object copy could reorder or lose a key. */
const ADVERSARIAL: readonly unknown[] = [
  undefined, null, true, false, 0, -0, Number.NaN, Infinity, -Infinity, 1e21, 5e-324, '', '\ud800', 'a\udc00', '\ud83d\ude00', '\u0000\u001f"\\\u2028',
  {}, [], [undefined, () => 1, Symbol('s'), -0, Number.NaN], { a: undefined, b: () => 1, c: Symbol('s') }, [{}, [[]], { x: [] }],
  [1, , 3], new Array(3),
  new Date(Date.UTC(2026, 0, 2)), new Date(Number.NaN), { at: new Date(0), list: [new Date(1)] },
  { toJSON: () => undefined }, { toJSON: () => ({ z: 1, a: { toJSON: () => 'deep' } }) }, { toJSON: 'not a function', b: 1 },
  { b: { toJSON: () => () => 1 }, a: 1 }, Object.assign([1, 2], { toJSON: () => 'array with toJSON' }),
  { '10': 'a', '2': 'b', 'b': 'c', 'A': 'd' }, { '4294967295': 1, '4294967294': 2, '01': 3, '-1': 4, '1.5': 5 },
  { 'é': 1, 'e': 2, 'Z': 3, 'a': 4, '\uff01': 5, '\ud83d\ude00': 6, '\ufb33': 7, '': 8, '_': 9 },
  protoKey, { nested: protoKey }, [protoKey], { constructor: 1, toString: 2, hasOwnProperty: 3, valueOf: { x: 1 } },
  Object.assign(Object.create(null) as object, { b: 1, a: 2 }), Object.create({ inherited: 1 }) as object,
  new String('ab'), new Number(5), new Boolean(true), new Map([['a', 1]]), new Set([1]), new Uint8Array([3, 4]), /re/g, new Error('e'),
  Object.defineProperty({ b: 1 }, 'hidden', { value: 2, enumerable: false }), Object.defineProperty({}, 'got', { get: () => ({ y: 1, x: 2 }), enumerable: true }),
  { [Symbol('k')]: 1, k: 2 }, { big: 1n }, [1n], 1n, { toJSON: () => 1n },
  { attributes: { uid: 'thao.dang', cn: 'Thảo Đặng', sn: 'Đặng', employeeNumber: 'E000001' }, accountId: 'thao.dang', enabled: true },
];

describe('canonicalJson equals the serialiser audit entries were hashed with before its fast path', () => {
  it('on values picked by hand', () => {
    for (const value of ADVERSARIAL) expectSameAsOracle(value);
  });

  it('on 5,000 random values, nested up to 5 deep', () => {
    const random = seededRandom(20261127);
    for (let i = 0; i < 5000; i++) expectSameAsOracle(randomValue(random, 5));
  });

  it('on values nested deeper than the fast path copes with, and on cycles (the same error)', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 3000; i++) deep = i % 2 === 0 ? [deep] : { b: deep, a: i };
    expectSameAsOracle(deep);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(outcome(() => canonicalJson(cycle))).toMatch(/^THROWS RangeError/);
  });

  it('while Object.prototype or Array.prototype has a toJSON', () => {
    // The copy's own objects inherit it: JSON.stringify would call it on them, where the text serialiser never sees them.
    const values = [{ b: 1, a: [1, 2] }, [{ x: 1 }], { d: new Date(0) }, Object.assign([1, 2], { toJSON: 5 }), Object.assign(Object.create(null) as object, { z: 1, y: { w: 2 } })];
    for (const proto of [Object.prototype, Array.prototype] as Record<string, unknown>[]) {
      proto.toJSON = function toJSON(this: unknown) {
        return Array.isArray(this) ? `array of ${this.length}` : Object.assign(Object.create(null) as object, { wrapped: true, b: 2, a: [3] });
      };
      try {
        for (const value of values) expectSameAsOracle(value);
      } finally {
        delete proto.toJSON;
      }
    }
    expect(canonicalJson({ b: 1, a: [1, 2] })).toBe('{"a":[1,2],"b":1}');
  });
});

describe('canonicalEntryJson', () => {
  it('equals the one it replaced, field by field, with and without each optional field', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const maybe = (text: string | undefined) => (random() < 0.3 ? undefined : text);
      const fields = {
        seq: Math.floor(random() * 1e9), at: '2026-11-27T12:00:00.000Z', kind: 'change.applied', actor: random() < 0.5 ? 'ac"tor' : 'système',
        identity: maybe('E\ud8001'), target: maybe('directory'), reasons: maybe('["joiner"]'), before: maybe('null'),
        after: maybe(oracleCanonicalJson(randomValue(random, 3))), data: maybe('{"a":1}'),
      };
      expect(canonicalEntryJson(fields)).toBe(oracleEntryJson(fields));
    }
  });
});

/** The entry the store returned before (spreads of optional() and present()), to compare key order and values. */
function entryBefore(seq: number, at: string, input: AuditEntryInput, prevHash: string, hash: string): AuditEntry {
  const text = (value: unknown) => (value === undefined ? undefined : oracleCanonicalOrUndefined(value));
  const reasons = input.reasons === null || input.reasons === undefined ? undefined : text(input.reasons);
  return {
    seq, at, kind: storableText(input.kind), actor: storableText(input.actor),
    ...optional('identity', input.identity === undefined ? undefined : storableText(input.identity)),
    ...optional('target', input.target === undefined ? undefined : storableText(input.target)),
    ...optional('reasons', reasons === undefined ? undefined : asStored(input.reasons)),
    ...present('before', text(input.before) === undefined ? undefined : asStored(input.before)),
    ...present('after', text(input.after) === undefined ? undefined : asStored(input.after)),
    ...present('data', text(input.data) === undefined ? undefined : asStored(input.data)),
    prevHash, hash,
  };
}

/**
 * Head of the chain below as written by the store before the fast path
 * (commit 5c49383, same seed, same clock): the chain is byte-for-byte the one
 * older versions write.
 */
const HEAD_BEFORE = 'c7d38bf7070496fee0a49cad34995b704415153c41bbad7a6379def47aa50ffa';

describe('a chain written to SQLite', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('stores the texts and hashes the serialiser before the fast path gives, and returns the same entries', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T12:00:00.000Z'));
    dir = await mkdtemp(join(tmpdir(), 'roster-audit-oracle-'));
    const file = join(dir, 'roster.db');
    const store = await openStore(`sqlite:${file}`);
    const random = seededRandom(42);
    const inputs: AuditEntryInput[] = [];
    let prevHash = GENESIS_HASH;
    try {
      for (let n = 0; n < 600;) {
        const batch = Array.from({ length: 1 + Math.floor(random() * 40) }, () => randomEntry(random, (n += 1)));
        inputs.push(...batch);
        const returned = await store.audit.append(batch);
        for (const [i, entry] of returned.entries()) {
          const expected = entryBefore(entry.seq, entry.at, batch[i] as AuditEntryInput, prevHash, entry.hash);
          expect(JSON.stringify(entry)).toBe(JSON.stringify(expected));
          expect(entry).toEqual(expected);
          prevHash = entry.hash;
        }
      }
      expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: inputs.length });
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT * FROM roster_audit ORDER BY seq').all() as Record<string, string | number | null>[];
    db.close();
    expect(rows).toHaveLength(inputs.length);
    let hash = GENESIS_HASH;
    for (const [i, input] of inputs.entries()) {
      const row = rows[i] as Record<string, string | number | null>;
      const text = (value: unknown) => (value === undefined ? undefined : oracleCanonicalOrUndefined(value));
      const fields = {
        seq: i + 1, at: '2026-11-27T12:00:00.000Z', kind: storableText(input.kind), actor: storableText(input.actor),
        identity: input.identity === undefined ? undefined : storableText(input.identity), target: input.target === undefined ? undefined : storableText(input.target),
        reasons: input.reasons === undefined ? undefined : text(input.reasons), before: text(input.before), after: text(input.after), data: text(input.data),
      };
      expect([row.reasons, row.before, row.after, row.data]).toEqual([fields.reasons ?? null, fields.before ?? null, fields.after ?? null, fields.data ?? null]);
      expect(row.prev_hash).toBe(hash);
      hash = oracleChainHash(hash, oracleEntryJson(fields));
      expect(row.hash).toBe(hash);
      expect(chainHash(row.prev_hash as string, canonicalEntryJson(fields))).toBe(hash);
    }
    expect(hash).toBe(HEAD_BEFORE);
  });
});
