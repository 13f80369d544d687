import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { reconcileProject, type TestProject } from '../reconcile/test-project.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

/**
 * A directory that already has José García, whose mail was written in NFD
 * (decomposed é/í, as macOS tools and some exports write it), while HR sends
 * NFC: the same address. Reconcile must link him; it reports an orphan, and
 * the plan after it gives him a second account.
 */
describe('reconcile then plan: the same name in two Unicode forms (review4)', () => {
  let p: TestProject | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    p?.remove();
    memoryTargets.clear();
  });

  it('links the existing account and plans no create for the person', async () => {
    const mailNfd = 'josé.garcía@example.com'.normalize('NFD');
    const mailNfc = 'josé.garcía@example.com'.normalize('NFC');
    p = reconcileProject('uni', [{ username: 'jgarcia', email: mailNfd }], [{ id: 'E1', givenName: 'Jose', familyName: 'Garcia', email: mailNfc }]);
    engine = await openEngine(p.config);
    await engine.readSource('hr', 'test');
    expect((await engine.store.identities.get('E1'))?.attributes['email']).toBe(mailNfc);

    const report = await engine.reconcile('uni', { actor: 't' });
    expect.soft({ matched: report.matched.map((m) => [m.accountId, m.identity]), orphans: report.orphans.map((o) => o.accountId) })
      .toEqual({ matched: [['jgarcia', 'E1']], orphans: [] });
    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => [c.identity, c.after?.attributes?.['username']])).toEqual([]);
  });
});
