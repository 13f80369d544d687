import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import { storeBackEnds, useOpenedStore } from '../../test/support/store-backends.js';
import { Executor } from './executor.js';
import { GoneWorkers, silentForMs } from './gone-workers.js';
import { create, plan, TARGET, targetConfig } from './testing.js';
import { isGoneHere, newWorkerId, placeOf, thisProcess, type ProcessPlace } from './worker-id.js';

/**
 * Review 15: `roster apply` killed with -9 leaves its claimed jobs leased (a
 * minute by default, `executor.leaseSeconds`), and a run started right after
 * waited for them. A worker of this host (same pid namespace, same boot) whose
 * process provably no longer exists, and that has renewed nothing for
 * silentForMs, has its jobs taken over without waiting for them; a live
 * process's, another host's, another namespace's or an old-format id's wait
 * for their leases as before.
 */

const LEASE = 600_000;
const here = thisProcess();
/** A worker id of this host with the given pid (and this namespace and boot). */
const idWith = (pid: number, place: ProcessPlace = here): string => newWorkerId({ ...place, pid });

let deadPid = 0;
let alive: ChildProcess;

beforeAll(async () => {
  // A process that ran and is gone (reaped), and one that runs for the whole suite.
  const done = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  deadPid = done.pid!;
  await new Promise((resolve) => done.on('exit', resolve));
  alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
});
afterAll(() => {
  alive.kill('SIGKILL');
});

describe('worker ids (review 15)', () => {
  it('carry host, pid, pid namespace and boot on Linux, and read back', () => {
    expect(here.pidNamespace).toMatch(/^\d+$/);
    expect(here.bootId).toMatch(/^[0-9a-f-]{36}$/);
    const id = newWorkerId();
    expect(placeOf(id)).toEqual(here);
  });

  it('a gone process is told only on the same host, namespace and boot, and only by ESRCH', () => {
    const esrch = () => { throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' }); };
    const eperm = () => { throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' }); };
    const id = idWith(4242);
    expect(isGoneHere(id, here, esrch)).toBe(true);
    expect(isGoneHere(id, here, eperm)).toBe(false);
    expect(isGoneHere(id, here, () => true)).toBe(false);
    expect(isGoneHere(id, { ...here, host: 'other' }, esrch)).toBe(false);
    expect(isGoneHere(id, { ...here, pidNamespace: '4026532999' }, esrch)).toBe(false);
    expect(isGoneHere(id, { ...here, bootId: '00000000-0000-0000-0000-000000000000' }, esrch)).toBe(false);
    expect(isGoneHere(`${here.host}:4242:1f2e3d4c`, here, esrch)).toBe(false);
    expect(isGoneHere(id, { ...here, pidNamespace: undefined }, esrch)).toBe(false);
    expect(isGoneHere(idWith(here.pid), here, esrch)).toBe(false);
    // The real probe: a reaped child is gone, a running one is not.
    expect(isGoneHere(idWith(deadPid))).toBe(true);
    expect(isGoneHere(idWith(alive.pid!))).toBe(false);
  });
});

describe.each(storeBackEnds('rgw15'))('jobs leased by a gone worker of this host ($name)', (backEnd) => {
  const { store } = useOpenedStore(backEnd);

  it('are claimable at once; a live pid\'s and another host\'s wait for their leases', async () => {
    const queue = store().queue;
    const holders = { dead: idWith(deadPid), live: idWith(alive.pid!), elsewhere: newWorkerId({ ...here, host: `not-${here.host}`, pid: deadPid }) };
    const changes = [create('d'), create('l'), create('e')];
    await queue.enqueue(changes.map((change, seq) => ({ id: `p1:${change.id}`, planId: 'p1', change, target: TARGET, orderingKey: `${TARGET}:${change.identity}`, seq })));
    for (const [i, worker] of [holders.dead, holders.live, holders.elsewhere].entries()) {
      const [job] = await queue.claim({ workerId: worker, limit: 1, leaseMs: LEASE, perTarget: { [TARGET]: 4 } });
      expect(job?.id).toBe(`p1:${changes[i]!.id}`);
    }
    expect((await queue.leaseHolders(new Date())).map((held) => held.workerId).sort()).toEqual(Object.values(holders).sort());

    // Gone, but it renewed (claimed) just now: a request it sent may still be landing at the target, so not yet.
    expect(await new GoneWorkers(queue, silentLogger, () => new Date(), LEASE).find([TARGET])).toEqual([]);
    // Silent for longer than silentForMs: taken over, for the claim's targets only.
    const later = () => new Date(Date.now() + silentForMs(LEASE) + 1_000);
    expect(await new GoneWorkers(queue, silentLogger, later, LEASE).find(['another-target'])).toEqual([]);
    const gone = await new GoneWorkers(queue, silentLogger, later, LEASE).find([TARGET]);
    expect(gone).toEqual([holders.dead]);
    // Without the gone workers, nothing is claimable (every lease has ten minutes left).
    expect(await queue.claim({ workerId: 'w-new', limit: 10, leaseMs: LEASE, perTarget: { [TARGET]: 3 } })).toEqual([]);
    // With them: the dead worker's job only, even though its lease fills the target's third slot.
    const taken = await queue.claim({ workerId: 'w-new', limit: 10, leaseMs: LEASE, perTarget: { [TARGET]: 3 }, deadWorkers: gone });
    expect(taken.map((job) => [job.id, job.attempts])).toEqual([[`p1:${changes[0]!.id}`, 2]]);
    expect((await queue.leaseHolders(new Date())).map((held) => held.workerId).sort()).toEqual([holders.live, holders.elsewhere, 'w-new'].sort());
  });

  it('a run started right after the kill finishes the dead worker\'s changes well within a ten-minute lease', async () => {
    const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
    try {
      const p = plan('p2', Array.from({ length: 6 }, (_, i) => create(`u${i}`)));
      const queue = store().queue;
      const first = new Executor({ store: store(), connectors: new Map([[TARGET, connector]]), targets: [targetConfig()], workerId: idWith(deadPid), log: silentLogger, leaseMs: LEASE });
      await first.enqueuePlan(p);
      // The killed run had leased them all.
      expect(await queue.claim({ workerId: idWith(deadPid), limit: 10, leaseMs: LEASE })).toHaveLength(6);
      const rerun = new Executor({ store: store(), connectors: new Map([[TARGET, connector]]), targets: [targetConfig()], workerId: newWorkerId(), log: silentLogger, leaseMs: LEASE, pollMs: 5,
        // The killed run has been silent long enough (silentForMs) by the time this one looks.
        now: () => new Date(Date.now() + silentForMs(LEASE) + 1_000) });
      expect(await rerun.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 6, failed: 0 });
      expect(await queue.stats({ planId: 'p2' })).toMatchObject({ pending: 0, running: 0, done: 6 });
    } finally {
      await connector.close();
      memoryTargets.clear();
    }
  });
});
