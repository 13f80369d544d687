import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../../api/testing/fake-engine.js';
import { AUDIT_HEAD_KEY } from '../../audit/head.js';
import { tamperableStore, type TamperableStore } from '../../audit/testing.js';
import type { Engine } from '../../engine/types.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * `roster audit head` and `roster audit verify [--head]` over a SQLite file
 * that the tests tamper with by SQL, the way someone with database access would.
 */
describe('roster audit head / verify --head', () => {
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
  });
  afterEach(async () => {
    await t.close();
    await engine.close();
  });

  it('head prints seq:hash of the last entry, and --json the same as an object', async () => {
    const last = (await t.store().audit.list()).at(-1)!;
    const { code, stdout } = await run(['head']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`3:${last.hash}`);
    expect(JSON.parse((await run(['head', '--json'])).stdout)).toEqual({ seq: 3, hash: last.hash });
  });

  it('head fails when the head was deleted', async () => {
    await t.tamper([`DELETE FROM roster_state WHERE key = '${AUDIT_HEAD_KEY}'`]);
    const { code, stdout, stderr } = await run(['head']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/head is missing or malformed/);
  });

  it('verify prints the head it checked; a truncation by SQL fails it', async () => {
    const intact = await run(['verify']);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^intact: 3 entries, head 3:[0-9a-f]{64}$/m);
    await t.tamper(['DELETE FROM roster_audit WHERE seq > 1']);
    const broken = await run(['verify', '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toEqual({
      ok: false, entries: 1, firstBad: { seq: 2, reason: 'the log ends at seq 1 but its head says seq 3: 2 entries were removed from the end' },
    });
  });

  it('verify --head catches a truncation whose stored head was rewritten to match', async () => {
    const recorded = (await run(['head'])).stdout.trim();
    const [first] = await t.store().audit.list({ limit: 1 });
    await t.tamper([
      'DELETE FROM roster_audit WHERE seq > 1',
      `UPDATE roster_state SET value = '{"seq":1,"hash":"${first!.hash}"}' WHERE key = '${AUDIT_HEAD_KEY}'`,
    ]);
    expect((await run(['verify'])).code).toBe(0);
    const checked = await run(['verify', '--head', recorded]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('broken at entry 2: the log ends at seq 1 but the recorded head says seq 3: 2 entries were removed from the end');
  });

  it('verify --head accepts a head recorded before the log grew, and refuses a malformed one as a usage error', async () => {
    const recorded = (await run(['head'])).stdout.trim();
    await t.store().audit.append([{ kind: 'plan.created', actor: 'scheduler' }]);
    expect((await run(['verify', '--head', recorded])).stdout).toMatch(/^intact: 4 entries/);
    const bad = await run(['verify', '--head', '3:nothex']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected <seq>:<64 hex digits> (as printed by 'roster audit head')");
  });
});
