import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../core/types.js';
import { freshSchema } from '../../test/support/pg.js';
import { verifyAudit } from '../audit/verify.js';
import { appendAudit } from './audit.js';
import type { Backend } from './backend.js';
import { lockFor } from './context.js';
import { openPostgres } from './postgres.js';
import { createSqlStore } from './sql-store.js';
import type { FailDependents, Store } from './types.js';

/**
 * Review 21 (adversarial), PostgreSQL: a create failed for good fails the
 * changes queued behind it in its own transaction, while an operator's
 * `roster queue cancel --plan` may cancel some of them. A cancel locks its
 * pending rows, then the audit log (cancel.ts). The fail took the audit log
 * first (the create's change.failed) and then the dependents' rows: the two
 * waited on each other, PostgreSQL broke the deadlock by failing one (the
 * create's failure unrecorded, to be asked of the target again; or the
 * operator's cancel). The dependents are locked before the audit log now, as
 * a cancel does: the cancel commits first and its jobs are left out.
 */
const change = (action: 'create' | 'grant', entitlement?: string): Change => ({
  id: `app:ada:${action}${entitlement === undefined ? '' : `:${entitlement}`}`, identity: 'ada', target: 'app', action, before: null,
  after: action === 'create' ? { enabled: true, attributes: { username: 'ada' } } : { entitlement: entitlement! }, reasons: ['joiner'],
});

const failAll: FailDependents = (waiting) => ({
  jobs: new Map(waiting.map((job) => [job.id, 'not attempted: the create of ada on app failed'])),
  audit: waiting.map((job) => ({ kind: 'change.not_attempted', actor: 'test', identity: 'ada', target: 'app', data: { changeId: job.change.id } })),
});

describe('a create failed for good while a cancel takes its dependents (postgres, review21)', () => {
  let backend: Backend | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await backend?.close();
    await drop?.();
  });

  it('neither waits on the other: the cancelled job stays cancelled, the rest are failed, the chain is whole', { timeout: 20_000 }, async () => {
    const schema = await freshSchema('rq21cancel');
    drop = () => schema.drop();
    backend = openPostgres(schema.url);
    await backend.migrate();
    const store: Store = createSqlStore(backend);
    await store.queue.enqueue([
      { id: 'p1:create', planId: 'p1', target: 'app', orderingKey: 'app:ada', seq: 0, change: change('create') },
      { id: 'p1:grant', planId: 'p1', target: 'app', orderingKey: 'app:ada', seq: 1, change: change('grant', 'staff') },
    ]);
    await store.queue.enqueue([{ id: 'p2:grant', planId: 'p2', target: 'app', orderingKey: 'app:ada', seq: 0, change: change('grant', 'vpn') }]);
    expect((await store.queue.claim({ workerId: 'w1', limit: 10, leaseMs: 60_000 })).map((j) => j.id)).toEqual(['p1:create']);

    const ctx = backend.context;
    let cancelling: () => void = () => undefined;
    const rowsLocked = new Promise<void>((resolve) => (cancelling = resolve));
    // What cancelJobs does for `--plan p2`, paused between its two steps: its pending rows, then the audit log.
    const cancel = ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('roster_jobs').set({ status: 'cancelled' }).where('plan_id', '=', 'p2').where('status', '=', 'pending').execute();
      cancelling();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await lockFor(ctx, trx, 'audit');
      await appendAudit(ctx, trx, [{ kind: 'queue.cancelled', actor: 'operator', data: { planId: 'p2', cancelled: 1 } }], false);
    });
    await rowsLocked;
    const failed = store.queue.fail('p1:create', 'target.rejected: no', null, [{ kind: 'change.failed', actor: 'w1', identity: 'ada', target: 'app' }], 'w1', failAll);

    const [cancelled, recorded] = await Promise.allSettled([cancel, failed]);
    expect(cancelled.status).toBe('fulfilled');
    expect(recorded).toEqual({ status: 'fulfilled', value: true });
    expect(Object.fromEntries([...await store.queue.listByPlan('p1'), ...await store.queue.listByPlan('p2')].map((j) => [j.id, j.status]))).toEqual({
      'p1:create': 'failed', 'p1:grant': 'failed', 'p2:grant': 'cancelled',
    });
    const kinds = (await store.audit.list({})).map((e) => [e.kind, (e.data as { changeId?: string } | undefined)?.changeId]);
    expect(kinds).toEqual([['queue.cancelled', undefined], ['change.failed', undefined], ['change.not_attempted', 'app:ada:grant:staff']]);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 3 });
  });
});
