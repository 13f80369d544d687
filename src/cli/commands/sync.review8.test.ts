import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../../api/testing/fake-engine.js';
import type { Engine } from '../../engine/types.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

describe('roster sync --json on a terminal', () => {
  let engine: FakeEngine;
  beforeEach(async () => {
    engine = await createFakeEngine();
  });
  afterEach(async () => {
    await engine.close();
  });

  it('prints only the JSON document on stdout: no progress bar mixed in', async () => {
    const captured = capturedIo({ isTTY: true, env: {}, openEngine: async (): Promise<Engine> => ({ ...engine, close: async () => {} }) });
    const code = await runCli(['node', 'roster', 'sync', '--yes', '--json'], captured.io);
    expect(code).toBe(0);
    expect(JSON.parse(captured.stdout())).toMatchObject({ result: { applied: 2, failed: 0 } });
  });
});
