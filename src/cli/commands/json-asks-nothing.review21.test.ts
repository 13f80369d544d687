import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../../api/testing/fake-engine.js';
import type { Engine } from '../../engine/types.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * Review 21: `--json` asks nothing, on a terminal too, for apply and sync as
 * for reconcile (README): stdout holds the one JSON document a script reads,
 * never a question or "Cancelled". Without --yes the changes are refused,
 * exit 2, as off a terminal; with --yes they run.
 */
describe('apply --json and sync --json on a terminal (review21)', () => {
  let engine: FakeEngine;
  beforeEach(async () => {
    engine = await createFakeEngine();
  });
  afterEach(async () => {
    await engine.close();
  });

  const run = async (...args: string[]) => {
    const questions: string[] = [];
    const captured = capturedIo({
      isTTY: true, env: {},
      openEngine: async (): Promise<Engine> => ({ ...engine, close: async () => {} }),
      confirm: async (question) => (questions.push(question), true),
    });
    const code = await runCli(['node', 'roster', ...args], captured.io);
    return { code, questions, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const applied = () => engine.calls.filter((c) => c.method === 'apply' || c.method === 'sync').length;

  it('apply --json without --yes: no question, the plan as JSON alone on stdout (result null), refused with exit 2', async () => {
    const refused = await run('apply', '--json');
    expect(refused.questions).toEqual([]);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ plan: { summary: { create: 2 } }, result: null, released: [] });
    expect(refused.stderr).toContain('refusing to change targets without confirmation: --json asks nothing; pass --yes');
    expect(applied()).toBe(0);

    const done = await run('apply', '--json', '--yes');
    expect(done.questions).toEqual([]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ result: { applied: 2, failed: 0 } });
  });

  it('sync --json without --yes: no question, nothing read or applied, nothing on stdout, exit 2', async () => {
    const refused = await run('sync', '--json');
    expect(refused.questions).toEqual([]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('--json asks nothing; pass --yes');
    expect(applied()).toBe(0);
  });

  it('without --json a terminal is still asked', async () => {
    const asked = await run('apply');
    expect(asked.questions).toEqual(['Apply 2 changes?']);
    expect(asked.code).toBe(0);
  });
});
