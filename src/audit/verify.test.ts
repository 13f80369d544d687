import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tamperableStore, type TamperableStore } from './testing.js';
import { verifyAudit } from './verify.js';

describe('verifyAudit', () => {
  let t: TamperableStore;
  beforeEach(async () => {
    t = await tamperableStore();
    await t.store().audit.append([
      { kind: 'identity.joiner', actor: 'source:hr', identity: 'E1', reasons: ['joiner'], after: { state: 'active' } },
      { kind: 'plan.created', actor: 'scheduler', data: { changes: 3 } },
      { kind: 'change.applied', actor: 'system', identity: 'E1', target: 'app', before: null, after: { enabled: true } },
    ]);
    await t.store().audit.append([{ kind: 'identity.leaver', actor: 'token:workday', identity: 'E1', reasons: ['leaver.terminated'] }]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('accepts an intact chain and counts its entries', async () => {
    expect(await verifyAudit(t.store())).toEqual({ ok: true, entries: 4 });
  });

  it('accepts an empty log', async () => {
    await t.tamper(['DELETE FROM roster_audit']);
    expect(await verifyAudit(t.store())).toEqual({ ok: true, entries: 0 });
  });

  it('names an altered entry (hash mismatch)', async () => {
    await t.tamper([`UPDATE roster_audit SET actor = 'cli:mallory' WHERE seq = 2`]);
    const result = await verifyAudit(t.store());
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 2, reason: expect.stringMatching(/hash mismatch/) } });
  });

  it('names an altered JSON field', async () => {
    await t.tamper([`UPDATE roster_audit SET after = '{"enabled":false}' WHERE seq = 3`]);
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });

  it('names the entry after a removed one (seq gap)', async () => {
    await t.tamper(['DELETE FROM roster_audit WHERE seq = 2']);
    const result = await verifyAudit(t.store());
    expect(result).toMatchObject({ ok: false, entries: 2, firstBad: { seq: 3, reason: expect.stringMatching(/entry 2 is missing/) } });
  });

  it('names a removed first entry', async () => {
    await t.tamper(['DELETE FROM roster_audit WHERE seq = 1']);
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it('names a removal that renumbered the rest (prevHash mismatch)', async () => {
    await t.tamper(['DELETE FROM roster_audit WHERE seq = 2', 'UPDATE roster_audit SET seq = seq - 1 WHERE seq > 2']);
    const result = await verifyAudit(t.store());
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 2, reason: expect.stringMatching(/prevHash/) } });
  });

  it('names reordered entries (two rows swapped seq)', async () => {
    await t.tamper([
      'UPDATE roster_audit SET seq = -1 WHERE seq = 2',
      'UPDATE roster_audit SET seq = 2 WHERE seq = 3',
      'UPDATE roster_audit SET seq = 3 WHERE seq = -1',
    ]);
    const result = await verifyAudit(t.store());
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it('cannot see a clean truncation of the tail (a known limit of an unanchored chain)', async () => {
    await t.tamper(['DELETE FROM roster_audit WHERE seq = 4']);
    expect(await verifyAudit(t.store())).toEqual({ ok: true, entries: 3 });
  });
});
