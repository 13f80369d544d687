import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/types.js';
import { auditHash } from './chain.js';
import { AUDIT_HEAD_KEY, EMPTY_HEAD } from './head.js';
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

  it('accepts an intact chain, counts its entries and returns its head', async () => {
    const last = (await t.store().audit.list()).at(-1)!;
    expect(await verifyAudit(t.store())).toEqual({ ok: true, entries: 4, head: { seq: 4, hash: last.hash } });
  });

  it('accepts an empty log whose head is the genesis', async () => {
    await t.tamper(['DELETE FROM roster_audit', `UPDATE roster_state SET value = '${JSON.stringify(EMPTY_HEAD)}' WHERE key = '${AUDIT_HEAD_KEY}'`]);
    expect(await verifyAudit(t.store())).toEqual({ ok: true, entries: 0, head: EMPTY_HEAD });
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

  it('names a cleanly truncated tail against the head', async () => {
    await t.tamper(['DELETE FROM roster_audit WHERE seq = 4']);
    expect(await verifyAudit(t.store())).toEqual({
      ok: false, entries: 3, firstBad: { seq: 4, reason: 'the log ends at seq 3 but its head says seq 4: 1 entry was removed from the end' },
    });
  });

  it('names an entry appended around Roster (the head not moved)', async () => {
    const [fourth] = await t.store().audit.list({ afterSeq: 3 });
    const forged = { seq: 5, at: fourth!.at, kind: 'plan.created', actor: 'cli:mallory' };
    const hash = auditHash(fourth!.hash, forged);
    await t.tamper([`INSERT INTO roster_audit (seq, at, kind, actor, prev_hash, hash) VALUES (5, '${forged.at}', 'plan.created', 'cli:mallory', '${fourth!.hash}', '${hash}')`]);
    expect(await verifyAudit(t.store())).toMatchObject({
      ok: false, entries: 5, firstBad: { seq: 5, reason: 'the log ends at seq 5 but its head says seq 4: 1 entry was appended without moving the head (written around Roster)' },
    });
  });

  it('names a last entry replaced by a re-hashed forgery', async () => {
    const [third] = await t.store().audit.list({ afterSeq: 2, limit: 1 });
    const forged = { seq: 4, at: third!.at, kind: 'identity.leaver', actor: 'cli:mallory' };
    await t.tamper([
      'DELETE FROM roster_audit WHERE seq = 4',
      `INSERT INTO roster_audit (seq, at, kind, actor, prev_hash, hash) VALUES (4, '${forged.at}', '${forged.kind}', '${forged.actor}', '${third!.hash}', '${auditHash(third!.hash, forged)}')`,
    ]);
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, firstBad: { seq: 4, reason: expect.stringMatching(/^entry 4 does not match the hash in its head/) } });
  });

  it('names a malformed head', async () => {
    await t.tamper([`UPDATE roster_state SET value = 'oops' WHERE key = '${AUDIT_HEAD_KEY}'`]);
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, firstBad: { seq: 4, reason: expect.stringMatching(/head is malformed/) } });
  });

  it('catches up with entries appended while it ran instead of calling them missing', async () => {
    const store = t.store();
    let appendedMeanwhile = false;
    const racing: Store = {
      ...store,
      state: {
        ...store.state,
        async get(key) {
          if (!appendedMeanwhile) {
            appendedMeanwhile = true;
            await store.audit.append([{ kind: 'plan.created', actor: 'scheduler' }, { kind: 'plan.created', actor: 'scheduler' }]);
          }
          return store.state.get(key);
        },
      },
    };
    expect(await verifyAudit(racing)).toMatchObject({ ok: true, entries: 6, head: { seq: 6 } });
    expect(appendedMeanwhile).toBe(true);
  });

  describe('against a recorded head', () => {
    it('accepts a head the log still holds, however far the log grew since', async () => {
      const [second] = await t.store().audit.list({ afterSeq: 1, limit: 1 });
      expect(await verifyAudit(t.store(), { recordedHead: { seq: 2, hash: second!.hash } })).toMatchObject({ ok: true, entries: 4 });
      expect(await verifyAudit(t.store(), { recordedHead: EMPTY_HEAD })).toMatchObject({ ok: true });
    });

    it('names a recorded head whose entry now hashes differently', async () => {
      expect(await verifyAudit(t.store(), { recordedHead: { seq: 2, hash: 'f'.repeat(64) } })).toMatchObject({
        ok: false, firstBad: { seq: 2, reason: 'entry 2 does not match the hash in the recorded head: the log was rewritten up to this entry' },
      });
    });

    it('names a truncation hidden by rewriting the stored head', async () => {
      const [third, fourth] = await t.store().audit.list({ afterSeq: 2 });
      await t.tamper([
        'DELETE FROM roster_audit WHERE seq = 4',
        `UPDATE roster_state SET value = '${JSON.stringify({ seq: 3, hash: third!.hash })}' WHERE key = '${AUDIT_HEAD_KEY}'`,
      ]);
      expect(await verifyAudit(t.store())).toMatchObject({ ok: true, entries: 3 });
      expect(await verifyAudit(t.store(), { recordedHead: { seq: 4, hash: fourth!.hash } })).toMatchObject({
        ok: false, firstBad: { seq: 4, reason: 'the log ends at seq 3 but the recorded head says seq 4: 1 entry was removed from the end' },
      });
    });
  });
});
