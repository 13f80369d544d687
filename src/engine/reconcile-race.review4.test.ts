import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { reconcileProject, type TestProject } from '../reconcile/test-project.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

/**
 * `roster serve` (its executor) and `roster reconcile` (a CLI process) share
 * one store; the engine's mutex is per process. A create the executor
 * finishes while the reconcile pass is paging through the directory lands
 * after the page that would have held it, and its link lands before the pass
 * reads the links: the pass must not take that fresh link for one whose
 * account was deleted outside Roster.
 */
describe('reconcile racing an executor in another process (review4)', () => {
  let p: TestProject | undefined;
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    p?.remove();
    memoryTargets.clear();
  });

  it('keeps the link of an account created while the pass was reading', async () => {
    p = reconcileProject('race', [{ username: 'old.one', employeeNumber: 'X9' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    const cli = await openEngine(p.config);
    engines.push(cli);
    await cli.readSource('hr', 'test');
    await cli.reconcile('race', { actor: 't' }); // opens the creates
    const plan = await cli.plan();
    expect(plan.changes.map((c) => [c.action, c.identity])).toEqual([['create', 'E1']]);

    const serve = await openEngine(p.config); // the other process: its own mutex, the same store and target
    engines.push(serve);
    const target: MemoryTarget = memoryTargets.get('race')!;
    const run = target.run.bind(target);
    let raced = false;
    target.run = (async (operation: Parameters<MemoryTarget['run']>[0], body: () => unknown) => {
      const result = await run(operation, body);
      if (operation === 'list' && !raced) {
        raced = true; // the pass has its page; the executor finishes the create now
        const applied = await serve.apply(plan, { actor: 'serve' });
        expect(applied.errors).toEqual([]);
      }
      return result;
    }) as MemoryTarget['run'];

    const report = await cli.reconcile('race', { actor: 't' });
    expect(raced).toBe(true);
    expect(target.accounts.has('ada.lovelace')).toBe(true);
    expect.soft(report.vanished).toEqual([]);
    // The link Roster just wrote for an account that is there must survive the pass.
    expect(await cli.store.accounts.get('race', 'E1')).toMatchObject({ accountId: 'ada.lovelace' });
  });
});
