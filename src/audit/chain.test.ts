import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditHash, canonicalEntryJson, canonicalJson, canonicalOrUndefined, chainHash } from './chain.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }))
      .toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined properties and writes null for undefined array items', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1], c: null })).toBe('{"b":[null,1],"c":null}');
  });

  it('follows JSON.stringify for scalars, dates and non-finite numbers', () => {
    expect(canonicalJson('a"b\n')).toBe(JSON.stringify('a"b\n'));
    expect(canonicalJson(1.5e-7)).toBe(JSON.stringify(1.5e-7));
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(Number.NaN)).toBe('null');
    expect(canonicalJson(new Date('2024-01-02T03:04:05.000Z'))).toBe('"2024-01-02T03:04:05.000Z"');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('gives the same text for the same data whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2] })).toBe(canonicalJson({ y: [1, 2], x: 1 }));
  });

  it('equals JSON.stringify after a JSON round trip for key-sorted data', () => {
    const value = { a: 'é\u2028', b: [1, 'two', { c: false }], n: -0.25 };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(JSON.stringify(value));
  });

  it('refuses BigInt', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('auditHash', () => {
  const entry = { seq: 1, at: '2024-01-01T00:00:00.000Z', kind: 'plan.created', actor: 'system', data: { id: 'p1' } };

  it('is sha256 hex over prevHash + canonical JSON', () => {
    const expected = createHash('sha256').update(GENESIS_HASH + canonicalJson(entry)).digest('hex');
    expect(auditHash(GENESIS_HASH, entry)).toBe(expected);
    expect(auditHash(GENESIS_HASH, entry)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when the previous hash or any field changes', () => {
    const base = auditHash(GENESIS_HASH, entry);
    expect(auditHash('1'.repeat(64), entry)).not.toBe(base);
    expect(auditHash(GENESIS_HASH, { ...entry, actor: 'cli:eve' })).not.toBe(base);
    expect(auditHash(GENESIS_HASH, { ...entry, data: { id: 'p2' } })).not.toBe(base);
  });

  it('ignores key order and undefined fields', () => {
    const reordered = { data: { id: 'p1' }, actor: 'system', kind: 'plan.created', at: entry.at, seq: 1, identity: undefined };
    expect(auditHash(GENESIS_HASH, reordered)).toBe(auditHash(GENESIS_HASH, entry));
  });

  it('GENESIS_HASH is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });
});

describe('canonicalEntryJson', () => {
  const cases = [
    { seq: 1, at: '2024-01-01T00:00:00.000Z', kind: 'plan.created', actor: 'system' },
    {
      seq: 42, at: '2024-01-01T00:00:00.000Z', kind: 'change.applied', actor: 'executor:w', identity: 'E1', target: 'ldap',
      reasons: ['joiner'], before: null, after: { b: [1, { d: 'é', c: null }], a: true }, data: { z: 1, 10: 'x', 2: 'y' },
    },
  ];

  it('assembles exactly canonicalJson of the entry from the canonical texts of its fields', () => {
    for (const entry of cases) {
      const text = (key: keyof typeof entry) => (key in entry ? canonicalOrUndefined(entry[key]) : undefined);
      const fields = {
        seq: entry.seq, at: entry.at, kind: entry.kind, actor: entry.actor,
        identity: 'identity' in entry ? entry.identity : undefined, target: 'target' in entry ? entry.target : undefined,
        reasons: text('reasons' as keyof typeof entry), before: text('before' as keyof typeof entry),
        after: text('after' as keyof typeof entry), data: text('data' as keyof typeof entry),
      };
      expect(canonicalEntryJson(fields)).toBe(canonicalJson(entry));
      expect(chainHash(GENESIS_HASH, canonicalEntryJson(fields))).toBe(auditHash(GENESIS_HASH, entry));
    }
  });
});
