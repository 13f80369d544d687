import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema } from '../../../test/support/pg.js';
import { silentLogger } from '../../core/log.js';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import type { Engine } from '../../engine/types.js';
import { buildServer } from '../server.js';
import { createToken } from '../tokens.js';
import { pushToMemoryYaml } from '../../../test/support/engine-dir.js';

/**
 * Out-of-order HR deliveries on the push path with a real engine: a record
 * carrying `_changedAt` older than the latest applied for the person is
 * skipped (reported in the 200 response, audited), so a late upsert does not
 * re-activate someone terminated; a newer one (a rehire) applies; records
 * without the field keep arrival order; a malformed value is a 400 naming
 * the index. The latest value is in the store's state: SQLite and PostgreSQL.
 */
const yaml = (store: string) => pushToMemoryYaml(store, { attributes: '{ username: identity.employeeId, department: identity.department }' });

const backEnds: readonly { name: string; store: () => Promise<{ url: string; drop(): Promise<void> }> }[] = [
  { name: 'sqlite (file)', store: async () => ({ url: 'sqlite:./roster.db', drop: async () => undefined }) },
  { name: 'postgres', store: async () => freshSchema('push_order') },
];

const T0 = '2026-11-27T08:00:00Z';
const T1 = '2026-11-27T09:30:00+01:00'; // 08:30Z: the offset is honoured, before T2 (09:30Z)
const T1Z = '2026-11-27T08:30:00.000Z';
const T2 = '2026-11-27T09:30:00Z';
const T3 = '2026-11-27T11:45:00+01:00'; // 10:45Z: after T2

describe.each(backEnds)('push with _changedAt ($name)', ({ store: openStore }) => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  let app: FastifyInstance | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await app?.close();
    await engine?.close();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
    app = engine = drop = dir = undefined;
  });

  async function start() {
    dir = mkdtempSync(join(tmpdir(), 'roster-push-order-'));
    const store = await openStore();
    drop = store.drop;
    writeFileSync(join(dir, 'roster.yaml'), yaml(store.url));
    const now = () => new Date('2026-11-27T12:00:00.000Z');
    engine = await openEngine(join(dir, 'roster.yaml'), { now, log: silentLogger });
    app = await buildServer(engine, { logger: false, now });
    const token = (await createToken(engine.store, 'hr', ['push:hr'])).token;
    const post = (records: unknown[]) => app!.inject({
      method: 'POST', url: '/api/v1/sources/hr/records', headers: { authorization: `Bearer ${token}` }, payload: { records },
    });
    const send = async (records: unknown[]) => {
      const res = await post(records);
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    return { send, post, token, configPath: join(dir, 'roster.yaml'), now };
  }
  const account = (id: string) => memoryTargets.get('app')?.accounts.get(id);
  const state = async (id: string) => (await engine!.store.identities.get(id))?.state;

  it('keeps a terminated person terminated when an older upsert arrives late, and a newer one rehires', async () => {
    const { send } = await start();
    await send([{ employeeId: 'E1', department: 'Ops', startDate: '2024-01-01', _changedAt: T0 }]);
    expect(account('E1')?.enabled).toBe(true);
    const left = await send([{ employeeId: 'E1', _action: 'terminate', _changedAt: T2 }]);
    expect(left).toMatchObject({ changed: 1, skipped: [] });
    expect(account('E1')?.enabled).toBe(false);

    // Delivered late by the middleware: recorded at 08:30Z, before the termination at 09:30Z.
    const late = await send([{ employeeId: 'E1', department: 'Sales', status: 'active', endDate: '', _changedAt: T1 }]);
    expect(late).toMatchObject({ received: 1, created: 0, changed: 0, unchanged: 0, applied: 0 });
    expect(late.skipped).toEqual([{ line: 1, key: 'E1', changedAt: T1Z, latest: '2026-11-27T09:30:00.000Z', reason: 'out_of_order' }]);
    expect(late.diagnostics).toEqual([{
      severity: 'warning', code: 'push.out_of_order', identity: 'E1',
      message: `hr line 1: _changedAt ${T1Z} is not the latest: a change recorded at 2026-11-27T09:30:00.000Z was applied already; the record is skipped`,
    }]);
    expect(await state('E1')).toBe('terminated');
    expect((await engine!.store.identities.get('E1'))?.attributes).toEqual({
      employeeId: 'E1', department: 'Ops', startDate: '2024-01-01', status: 'terminated', endDate: '2026-11-27T12:00:00.000Z',
    }); // unchanged, and `_changedAt` is no attribute of the person
    expect(account('E1')?.enabled).toBe(false);
    const audit = await engine!.store.audit.list({ identity: 'E1', kind: 'push.skipped' });
    expect(audit.map((a) => [a.kind, a.reasons, a.data])).toEqual([[
      'push.skipped', ['push.out_of_order'], { sourceId: 'hr', line: 1, changedAt: T1Z, latest: '2026-11-27T09:30:00.000Z' },
    ]]);

    // The same termination delivered again (equal _changedAt): let through, and changes nothing.
    expect(await send([{ employeeId: 'E1', _action: 'terminate', _changedAt: T2 }])).toMatchObject({ unchanged: 1, changed: 0, skipped: [] });

    // Rehired, recorded after the termination: applies.
    const rehire = await send([{ employeeId: 'E1', department: 'Sales', status: 'active', endDate: '', startDate: '2026-11-27', _changedAt: T3 }]);
    expect(rehire).toMatchObject({ changed: 1, skipped: [], diagnostics: [] });
    expect(await state('E1')).toBe('active');
    expect(account('E1')?.enabled).toBe(true);
    const events = await engine!.store.identities.events('E1');
    expect(events.map((e) => e.kind)).toContain('rehire');
  });

  it('applies records without _changedAt in arrival order, as before', async () => {
    const { send } = await start();
    await send([{ employeeId: 'E2', department: 'Ops', startDate: '2024-01-01', _changedAt: T0 }]);
    await send([{ employeeId: 'E2', _action: 'terminate', _changedAt: T2 }]);
    // No _changedAt: nothing to order it by; it applies (a rehire) though it may be older.
    const unordered = await send([{ employeeId: 'E2', status: 'active', endDate: '' }]);
    expect(unordered).toMatchObject({ changed: 1, skipped: [] });
    expect(await state('E2')).toBe('active');
    expect(account('E2')?.enabled).toBe(true);
  });

  it('keeps, within one push, the record of a person with the latest _changedAt', async () => {
    const { send } = await start();
    await send([{ employeeId: 'E3', department: 'Ops', startDate: '2024-01-01', _changedAt: T0 }]);
    const res = await send([
      { employeeId: 'E3', _action: 'terminate', _changedAt: T2 },
      { employeeId: 'E3', department: 'Sales', _changedAt: T1 },
    ]);
    expect(res).toMatchObject({ received: 2, changed: 1 });
    expect(res.skipped).toEqual([{ line: 2, key: 'E3', changedAt: T1Z, latest: '2026-11-27T09:30:00.000Z', reason: 'superseded_in_batch' }]);
    expect(res.diagnostics.map((d: { code: string }) => d.code)).toEqual(['push.superseded_in_batch']);
    expect(await state('E3')).toBe('terminated');
    // The later _changedAt was recorded: the dropped upsert sent again is out of order.
    expect((await send([{ employeeId: 'E3', department: 'Sales', _changedAt: T1 }])).skipped).toMatchObject([{ reason: 'out_of_order' }]);
  });

  it('knows the latest _changedAt in every process on the store: a late upsert to another engine is skipped too', async () => {
    const { send, token, configPath, now } = await start();
    await send([{ employeeId: 'E6', department: 'Ops', startDate: '2024-01-01', _changedAt: T0 }]);
    await send([{ employeeId: 'E6', _action: 'terminate', _changedAt: T2 }]);
    const other = await openEngine(configPath, { now, log: silentLogger });
    const otherApp = await buildServer(other, { logger: false, now });
    try {
      const res = await otherApp.inject({
        method: 'POST', url: '/api/v1/sources/hr/records', headers: { authorization: `Bearer ${token}` },
        payload: { records: [{ employeeId: 'E6', status: 'active', endDate: '', _changedAt: T1 }] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().skipped).toMatchObject([{ key: 'E6', reason: 'out_of_order' }]);
      expect(await state('E6')).toBe('terminated');
      expect(account('E6')?.enabled).toBe(false);
    } finally {
      await otherApp.close();
      await other.close();
    }
  });

  it.each([
    ['a number', 1764230400000],
    ['no offset', '2026-11-27T09:00:00'],
    ['a date only', '2026-11-27'],
    ['no such day', '2026-02-30T09:00:00Z'],
    ['null', null],
  ])('refuses a malformed _changedAt (%s) with 400 naming the index, and ingests nothing', async (_name, value) => {
    const { post } = await start();
    const res = await post([{ employeeId: 'E4', _changedAt: T0 }, { employeeId: 'E5', _changedAt: value }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('request.invalid');
    expect(res.json().error.message).toMatch(/^records\[1\]\._changedAt is .*: expected an ISO-8601 date-time with seconds and an offset/);
    expect(await engine!.store.identities.count()).toBe(0);
  });
});
