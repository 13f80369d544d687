import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Change } from '../core/types.js';
import { CHUNK_SIZE, decodeChunk, encodeChunk, packChunk, unpackChunk } from './plan-changes.js';
import { openStore } from './index.js';

const grant = (i: number): Change => ({
  id: `app:E${i}:grant:staff`, identity: `E${i}`, target: 'app', action: 'grant', before: null,
  after: { accountId: `u${i}`, entitlement: 'staff' }, reasons: ['joiner', 'role.added'],
});

describe('plan changes in chunks', () => {
  it('round-trips changes, keeping ids that are not the derived ones', () => {
    const odd: Change = { ...grant(2), id: 'custom-id' };
    const revoke: Change = { id: 'app:E3:revoke:x', identity: 'E3', target: 'app', action: 'revoke', before: { accountId: 'u3', entitlement: 'x' }, after: null, reasons: [] };
    const changes = [grant(1), odd, revoke];
    const text = encodeChunk(changes, 0, 3);
    expect(text).toContain('custom-id');
    expect(text).not.toContain('app:E1:grant:staff');
    const out: Change[] = [];
    decodeChunk(text, out);
    expect(out).toStrictEqual(changes);
  });

  it('packs the same bytes as deflating the text itself, whatever the characters', () => {
    const names = ['Zoë Müller', 'Đặng Thảo', '李 伟', 'emoji 😀', 'lone \ud800 half', 'plain'];
    const changes: Change[] = names.map((name, i): Change => ({
      id: `app:E${i}:create`, identity: `E${i}`, target: 'app', action: 'create', before: null,
      after: { accountId: `u${i}`, enabled: true, attributes: { displayName: name } }, reasons: ['joiner'],
    }));
    const packed = packChunk(changes, 0, changes.length);
    expect(packed.equals(deflateRawSync(encodeChunk(changes, 0, changes.length), { level: 1 }))).toBe(true);
    const out: Change[] = [];
    unpackChunk(packed, out);
    expect(out).toStrictEqual(changes);
  });

  it('stores a plan of several chunks and reads it back whole, replacing on save', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const changes = Array.from({ length: CHUNK_SIZE * 2 + 7 }, (_, i) => grant(i));
      const plan = { id: 'p1', createdAt: '2026-01-01T00:00:00.000Z', basis: 3, changes, summary: { grant: changes.length }, held: false, holds: [], diagnostics: [] };
      await store.plans.save(plan);
      expect(await store.plans.get('p1')).toStrictEqual(plan);
      const shorter = { ...plan, changes: changes.slice(0, 2), summary: { grant: 2 } };
      await store.plans.save(shorter);
      expect(await store.plans.get('p1')).toStrictEqual(shorter);
      expect((await store.plans.list())[0]?.changes).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
});
