import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { useEngineDir } from '../../../test/support/engine-dir.js';
import { memoryTargets } from '../../connectors/memory/index.js';
import { silentLogger } from '../../core/log.js';
import type { Hold, Plan } from '../../core/types.js';
import type { Engine } from '../../engine/types.js';
import { buildServer } from '../server.js';
import { createToken } from '../tokens.js';

/**
 * An HR push of a manager together with her report: the push's plan creates
 * both accounts (the report's without the reference, `reference.deferred`),
 * and its follow-up sets the reference. The push's answer carries that
 * follow-up as `followUp`, as the apply answer does, beside its own counts
 * (unchanged); a follow-up that fails, is held or cannot be made leaves the
 * answer a 200 (as a failed change of the push's plan does), never a 500.
 */
describe('HR push answer: the follow-up plan of deferred manager references (review18d)', () => {
  const workspace = useEngineDir('push-follow-up');
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start() {
    const engine = await workspace.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: push, key: employeeId, fields: { manager: managerId } }
  - { id: files, type: csv, path: ./files.csv, key: employeeId }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? managerAccount.id : ""'
`, { log: silentLogger, files: { 'files.csv': 'employeeId,givenName\n' } });
    const server = await buildServer(engine, { logger: false });
    app = server;
    const token = (await createToken(engine.store, 'workday', ['push:hr'])).token;
    const push = async () => {
      const res = await server.inject({
        method: 'POST', url: '/api/v1/sources/hr/records', headers: { authorization: `Bearer ${token}` },
        payload: { records: [{ employeeId: 'R1', givenName: 'Rob', managerId: 'M1' }, { employeeId: 'M1', givenName: 'Mia' }] },
      });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> & { plan: { id: string } } };
    };
    return { engine, push };
  }
  const managers = () => Object.fromEntries([...(memoryTargets.get('app')?.accounts.values() ?? [])].map((a) => [a.attributes.username, a.attributes.manager]));

  /** Runs `after(n)` once each plan is saved (n counts from 1): what another process could do between a plan and its follow-up. */
  function onSave(engine: Engine, after: (n: number) => Promise<void>): void {
    const plans = engine.store.plans;
    const save = plans.save.bind(plans);
    let n = 0;
    plans.save = async (plan: Plan) => {
      n += 1;
      await after(n);
      await save(plan);
    };
  }

  it('carries the follow-up that set the report\'s reference, the push\'s own counts unchanged', async () => {
    const { push } = await start();
    const { status, body } = await push();
    expect(status).toBe(200);
    expect(body).toMatchObject({ received: 2, created: 2, applied: 2, failed: 0, pending: 0, plan: { summary: { create: 2 }, held: false } });
    expect(body.followUp).toMatchObject({ changes: 1, applied: 1, failed: 0, pending: 0, errors: [] });
    const followUp = body.followUp as { planId: string; held?: boolean; error?: string };
    expect(followUp.planId).not.toBe(body.plan.id);
    expect(followUp.held).toBeUndefined();
    expect(followUp.error).toBeUndefined();
    expect(managers()).toEqual({ mia: '', rob: 'mia' });
    // The keys the answer always had, and followUp after them.
    expect(Object.keys(body)).toEqual(['received', 'created', 'changed', 'unchanged', 'problems', 'diagnostics', 'skipped', 'plan', 'applied', 'failed', 'pending', 'followUp']);
  });

  it('says a follow-up change that failed in followUp, with its error, and still answers 200', async () => {
    const { push } = await start();
    memoryTargets.get('app')?.rejectNext(1, { operations: ['update'], message: 'manager must name an existing entry (injected)' });
    const { status, body } = await push();
    expect(status).toBe(200);
    expect(body).toMatchObject({ applied: 2, failed: 0, pending: 0 });
    expect(body.followUp).toMatchObject({ changes: 1, applied: 0, failed: 1, pending: 0, errors: [{ changeId: 'app:R1:update', error: expect.stringContaining('injected') }] });
    expect(managers()).toEqual({ mia: '', rob: '' });
  });

  it('says a follow-up held by a source hold that appeared after the push\'s plan (held, pending), and still answers 200', async () => {
    const { engine, push } = await start();
    const hold: Hold = { target: '*', code: 'safety.source_truncated', message: 'files: the read looks truncated', count: 5, limit: 1 };
    // Another process reads `files` short once the push's plan is saved, before its follow-up is computed.
    onSave(engine, async (n) => { if (n === 1) await engine.store.state.set('hold:source:files', hold); });
    const { status, body } = await push();
    expect(status).toBe(200);
    expect(body).toMatchObject({ applied: 2, failed: 0, plan: { held: false } });
    expect(body.followUp).toMatchObject({ changes: 1, held: true, applied: 0, failed: 0, pending: 1 });
    expect(managers()).toEqual({ mia: '', rob: '' });
    // Saved, as any held plan: an admin applies it with ?force=true.
    expect((await engine.store.plans.get((body.followUp as { planId: string }).planId))?.held).toBe(true);
  });

  it('says a follow-up that could not be made (a store error saving it) in followUp.error, and answers 200, not 500', async () => {
    const { engine, push } = await start();
    onSave(engine, async (n) => { if (n === 2) throw new Error('database is locked (injected)'); });
    const { status, body } = await push();
    expect(status).toBe(200);
    expect(body).toMatchObject({ applied: 2, failed: 0, pending: 0 });
    expect(body.followUp).toMatchObject({ planId: '', changes: 0, error: 'internal error (the server log says more)' });
    // The store's own message stays in the log (review19: an API answer carries no internal detail, as a 500 does not).
    expect(JSON.stringify(body)).not.toContain('injected');
  });
});
