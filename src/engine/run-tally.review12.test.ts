import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types.js';
import { RunTally } from './apply-report.js';

const jobOf = (planId: string): Job => ({ id: `${planId}:c`, planId } as Job);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Two applies at once in one process: the executor's outcomes reach both
 * runs' tallies, but a plan the other run applies is that run's to report,
 * not an earlier plan's released jobs (review12). A plan no open run
 * applies (a released quarantine's) is still counted by every open run.
 */
describe('RunTally with two runs open at once (review12)', () => {
  it('counts neither run\'s own plan in the other, and counts an earlier plan in both', async () => {
    const tally = new RunTally();
    let releaseA!: () => void;
    let releaseB!: () => void;
    const a = tally.during(() => new Promise<void>((r) => (releaseA = r)), 'plan-a');
    await tick();
    // plan-b's jobs run before its apply's run opens (its enqueue is in between): still not plan-a's to report.
    tally.record(jobOf('plan-b'), 'applied');
    const b = tally.during(() => new Promise<void>((r) => (releaseB = r)), 'plan-b');
    await tick();
    tally.record(jobOf('plan-a'), 'applied');
    tally.record(jobOf('plan-b'), 'failed');
    tally.record(jobOf('earlier'), 'applied');
    tally.record(jobOf('earlier'), 'retry');
    releaseB();
    const ranB = await b;
    tally.record(jobOf('earlier'), 'failed');
    releaseA();
    const ranA = await a;
    expect([...ranA].filter(([plan]) => plan !== 'plan-a')).toEqual([['earlier', { applied: 1, failed: 1 }]]);
    expect([...ranB].filter(([plan]) => plan !== 'plan-b')).toEqual([['earlier', { applied: 1, failed: 0 }]]);
  });
});
