import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types.js';
import { TargetLanes } from './lanes.js';

const job = (id: string, target: string): Job => ({
  id, planId: 'p', target, orderingKey: `${target}:${id}`, seq: 0, status: 'running', attempts: 1, nextRunAt: '', createdAt: '', updatedAt: '',
  change: { id, identity: id, target, action: 'create', before: null, after: null, reasons: [] },
});

describe('TargetLanes', () => {
  it('starts at most each target\'s concurrency, in claim order, and counts held jobs until settled', () => {
    const lanes = new TargetLanes(new Map([['a', 2], ['b', 1]]));
    const a1 = job('a1', 'a');
    lanes.add([a1, job('a2', 'a'), job('a3', 'a'), job('b1', 'b'), job('b2', 'b')]);
    expect(lanes.takeReady().map((j) => j.id)).toEqual(['a1', 'a2', 'b1']);
    expect(lanes.takeReady()).toEqual([]);
    expect([lanes.running, lanes.waiting, lanes.total, lanes.held('a')]).toEqual([3, 2, 5, 3]);
    lanes.slotFreed('a');
    expect(lanes.takeReady().map((j) => j.id)).toEqual(['a3']);
    expect(lanes.held('a')).toBe(3);
    // Settled by the copy held (another object with its id is another copy: nothing happens).
    lanes.settled(job('a1', 'a'));
    expect([lanes.held('a'), lanes.total]).toEqual([3, 5]);
    lanes.settled(a1);
    lanes.settled(a1);
    expect([lanes.held('a'), lanes.total]).toEqual([2, 4]);
  });

  it('holds a job leased again once: a waiting copy takes the new lease', () => {
    const lanes = new TargetLanes(new Map([['a', 1]]));
    lanes.add([job('a1', 'a'), job('a2', 'a')]);
    lanes.takeReady();
    const again = { ...job('a2', 'a'), attempts: 2 };
    lanes.add([job('a1', 'a'), again]);
    expect([lanes.total, lanes.waiting]).toEqual([2, 1]);
    lanes.slotFreed('a');
    expect(lanes.takeReady()).toEqual([again]);
  });

  it('drains the jobs not started, of one target or all, and stops holding them', () => {
    const lanes = new TargetLanes(new Map([['a', 1], ['b', 1]]));
    lanes.add([job('a1', 'a'), job('a2', 'a'), job('a3', 'a'), job('b1', 'b'), job('b2', 'b')]);
    lanes.takeReady();
    expect(lanes.drain('a').map((j) => j.id)).toEqual(['a2', 'a3']);
    expect([lanes.held('a'), lanes.held('b'), lanes.waiting]).toEqual([1, 2, 1]);
    expect(lanes.drain().map((j) => j.id)).toEqual(['b2']);
    expect([lanes.total, lanes.waiting, lanes.running]).toEqual([2, 0, 2]);
  });

  it('a running copy whose failure is recorded is finishing only: the job claimed again is its retry, held beside it and run after it', () => {
    const lanes = new TargetLanes(new Map([['a', 1]]));
    const first = job('a1', 'a');
    lanes.add([first]);
    expect(lanes.takeReady()).toEqual([first]);
    // Its lease taken again while it runs (not recorded): the running copy carries on.
    lanes.add([{ ...job('a1', 'a'), attempts: 2 }]);
    expect([lanes.waiting, lanes.total]).toEqual([0, 1]);
    // Its failure recorded (the job pending for a retry), then claimed again before this attempt has finished.
    lanes.recorded(first);
    const retry = { ...job('a1', 'a'), attempts: 2 };
    lanes.add([retry]);
    expect([lanes.waiting, lanes.total]).toEqual([1, 2]);
    expect(lanes.takeReady()).toEqual([]);
    lanes.slotFreed('a');
    lanes.settled(first);
    expect([lanes.waiting, lanes.total]).toEqual([1, 1]);
    expect(lanes.takeReady()).toEqual([retry]);
    lanes.slotFreed('a');
    lanes.settled(retry);
    expect(lanes.total).toBe(0);
  });
});
