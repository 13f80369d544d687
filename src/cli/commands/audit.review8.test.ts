import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../../api/testing/fake-engine.js';
import { AUDIT_HEAD_KEY } from '../../audit/head.js';
import { MISMATCH_ACCEPTED_KIND } from '../../audit/mismatch.js';
import { tamperableStore, type TamperableStore } from '../../audit/testing.js';
import type { Engine } from '../../engine/types.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * `roster audit verify` after a head was deleted by SQL: before, the next
 * append repaired the head and verify exited 0 again, the tampering gone
 * from view. Now the append records an audit.head_mismatch entry; verify
 * says the chain is intact, lists the mismatch and exits 1 until an operator
 * accepts it with --accept-through (recorded in the log, with their name).
 */
describe('roster audit verify lists recorded head mismatches; --accept-through acknowledges them (review8)', () => {
  let engine: FakeEngine;
  let t: TamperableStore;
  const run = async (args: string[]) => {
    const captured = capturedIo({ openEngine: async (): Promise<Engine> => ({ ...engine, store: t.store(), close: async () => {} }) });
    const code = await runCli(['node', 'roster', 'audit', ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  beforeEach(async () => {
    engine = await createFakeEngine();
    t = await tamperableStore();
    await t.store().audit.append([1, 2, 3].map((n) => ({ kind: 'change.applied', actor: 'executor:w', data: { n } })));
    await t.tamper([`DELETE FROM roster_state WHERE key = '${AUDIT_HEAD_KEY}'`]);
    await t.store().audit.append([{ kind: 'plan.created', actor: 'scheduler' }]); // records the mismatch as entry 4
  });
  afterEach(async () => {
    await t.close();
    await engine.close();
  });

  it('verify: intact, but the mismatch is listed and the exit code is 1 (text and JSON)', async () => {
    const text = await run(['verify']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^intact: 5 entries, head 5:[0-9a-f]{64}$/m);
    expect(text.stdout).toMatch(/^1 head mismatch recorded \(1 not accepted\):$/m);
    expect(text.stdout).toMatch(/^ {2}entry 4 at \S+: the chain head was missing \(deleted or overwritten\?\); the log ended at seq 3$/m);
    expect(text.stdout).toContain('roster audit verify --accept-through 4');
    const json = await run(['verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false, entries: 5, head: { seq: 5 }, mismatches: [{ seq: 4, head: 'missing', log: { seq: 3 }, found: expect.any(String) }],
    });
  });

  it('--accept-through records who accepted, then verify exits 0 and still shows it', async () => {
    const accepted = await run(['verify', '--accept-through', '4']);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toMatch(/accepted 1 head mismatch \(entry 4\) as cli:\S+: recorded as entry 6/);
    expect(accepted.stdout).toMatch(/^intact: 6 entries/m);
    expect(accepted.stdout).toMatch(/entry 4 at \S+: .* \(accepted by cli:\S+, entry 6\)$/m);
    const [entry] = await t.store().audit.list({ kind: MISMATCH_ACCEPTED_KIND });
    expect(entry).toMatchObject({ seq: 6, actor: expect.stringMatching(/^cli:/), data: { through: 4, mismatches: [4] } });
    const again = await run(['verify', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, mismatches: [{ seq: 4, accepted: { seq: 6 } }] });
    // A later mismatch is not covered by the earlier acceptance.
    await t.tamper([`DELETE FROM roster_state WHERE key = '${AUDIT_HEAD_KEY}'`]);
    await t.store().audit.append([{ kind: 'plan.created', actor: 'scheduler' }]);
    expect((await run(['verify'])).code).toBe(1);
  });

  it('--accept-through refuses what there is nothing to accept, a seq past the end, and a bad value', async () => {
    const before = await run(['verify', '--accept-through', '3']);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('no head mismatch waiting to be accepted at or before entry 3');
    const past = await run(['verify', '--accept-through', '99']);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('entry 99 is past the end of the log (seq 5)');
    for (const bad of ['0', '-1', 'four', '4.5']) expect((await run(['verify', '--accept-through', bad])).code, bad).toBe(2);
    expect(await t.store().audit.list({ kind: MISMATCH_ACCEPTED_KIND })).toEqual([]);
  });

  it('--accept-through refuses while the chain is broken (verify stops at the break, so it could never see the acceptance)', async () => {
    await t.tamper([`UPDATE roster_audit SET actor = 'cli:mallory' WHERE seq = 2`]);
    const refused = await run(['verify', '--accept-through', '4']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the chain is broken at entry 2');
    expect(await t.store().audit.list({ kind: MISMATCH_ACCEPTED_KIND })).toEqual([]);
  });
});
