import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useMemoryTargetProject } from '../../../test/support/cli-project.js';
import { openStore } from '../../store/index.js';
import { CANCEL_NOTICES_KEY } from '../../executor/cancels.js';

/**
 * `roster queue cancel --reason`: the reason goes into the audit log and
 * into the notice every worker reads every 200 ms, so it is held to what the
 * API takes (1 to 1,000 characters, storable text): a megabyte of reason is
 * a usage error (2), not a megabyte read five times a second by each worker.
 */
describe('roster queue cancel: the reason is bounded like the API\'s', () => {
  const TARGET = 'queue-cancel-r9';
  const { run, dir } = useMemoryTargetProject('roster-queue-cancel-r9', TARGET, 'employeeId,givenName\nE1,Ada\nE2,Alan\n');

  it('refuses a reason past 1,000 characters, or with a NUL or a lone surrogate, before touching the queue', async () => {
    expect((await run('quarantine', 'hold', TARGET, '--reason', 'keep them queued')).code).toBe(0);
    expect((await run('sync', '--yes', '--json')).code).toBe(0);
    for (const reason of ['x'.repeat(1_001), 'x'.repeat(1_000_000), 'a\u0000b', 'a\ud800b']) {
      const refused = await run('queue', 'cancel', '--target', TARGET, '--reason', reason);
      expect(refused.code, reason.slice(0, 20)).toBe(2);
      expect(refused.stderr).toContain('--reason');
    }
    const store = await openStore(`sqlite:${join(dir(), 'roster.db')}`);
    try {
      expect(await store.queue.stats({ target: TARGET })).toMatchObject({ pending: 2, cancelled: 0 });
      expect(await store.audit.list({ kind: 'queue.cancelled' })).toEqual([]);
      expect(await store.state.get(CANCEL_NOTICES_KEY)).toBeUndefined();
    } finally {
      await store.close();
    }
    const ok = await run('queue', 'cancel', '--target', TARGET, '--reason', 'y'.repeat(1_000), '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ target: TARGET, cancelled: 2, running: 0 });
  });
});
