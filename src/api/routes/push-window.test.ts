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
 * Safety holds over a sliding window, on the HR push path with a real engine:
 * terminations pushed one per request are each a plan of one disable, within
 * the per-plan limit; past maxDisables within `safety.window` they are held
 * (the identity ingested, the account left enabled), the hold is in the push
 * response, an admin's forced apply applies the held plan, and the window
 * slides on with the engine's clock. The counts are in the store's state, so
 * the same runs on SQLite (file) and PostgreSQL.
 */
const yaml = (store: string, window: string) => pushToMemoryYaml(store, { target: `safety: { maxDisables: 2, minAccounts: 10, window: ${window} }` });

const people = Array.from({ length: 12 }, (_, i) => `E${String(i + 1).padStart(2, '0')}`);

const backEnds: readonly { name: string; store: () => Promise<{ url: string; drop(): Promise<void> }> }[] = [
  { name: 'sqlite (file)', store: async () => ({ url: 'sqlite:./roster.db', drop: async () => undefined }) },
  { name: 'postgres', store: async () => freshSchema('push_window') },
];

describe.each(backEnds)('safety window on the push path ($name)', ({ store: openStore }) => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  let app: FastifyInstance | undefined;
  let drop: (() => Promise<void>) | undefined;
  let now = new Date('2026-11-27T10:00:00.000Z');
  afterEach(async () => {
    await app?.close();
    await engine?.close();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
    app = engine = drop = dir = undefined;
  });

  async function start(window: string) {
    dir = mkdtempSync(join(tmpdir(), 'roster-push-window-'));
    const store = await openStore();
    drop = store.drop;
    writeFileSync(join(dir, 'roster.yaml'), yaml(store.url, window));
    now = new Date('2026-11-27T10:00:00.000Z');
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => now, log: silentLogger });
    app = await buildServer(engine, { logger: false, now: () => now });
    const push = (await createToken(engine.store, 'hr', ['push:hr'])).token;
    const admin = (await createToken(engine.store, 'ops', ['admin'])).token;
    const send = async (records: unknown[]) => {
      const res = await app!.inject({ method: 'POST', url: '/api/v1/sources/hr/records', headers: { authorization: `Bearer ${push}` }, payload: { records } });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    const seeded = await send(people.map((employeeId) => ({ employeeId, givenName: employeeId, startDate: '2024-01-01' })));
    expect(seeded.applied).toBe(12);
    return { send, terminate: (id: string) => send([{ _action: 'terminate', employeeId: id }]), admin, push, configPath: join(dir, 'roster.yaml') };
  }
  const enabled = (id: string) => memoryTargets.get('app')?.accounts.get(id)?.enabled;

  it('holds the termination past maxDisables within the window, keeps the HR data, and a forced apply applies it', async () => {
    const { terminate, admin } = await start('1h');
    for (const id of ['E01', 'E02']) {
      const ok = await terminate(id);
      expect(ok).toMatchObject({ plan: { held: false, holds: [] }, applied: 1 });
      expect(enabled(id)).toBe(false);
    }
    now = new Date('2026-11-27T10:20:00.000Z');
    const held = await terminate('E03');
    expect(held).toMatchObject({ changed: 1, applied: 0, pending: 1, plan: { held: true, summary: { disable: 1 } } });
    expect(held.plan.holds).toEqual([{
      target: 'app', code: 'safety.max_disables_window', count: 3, limit: 2,
      message: 'would disable 3 of 12 accounts in app within 1h (2 already in the last 1h, 1 in this plan; 25%); '
        + 'the limit is 2 accounts (safety.window: 1h)',
    }]);
    expect(enabled('E03')).toBe(true);
    expect(await engine!.store.identities.get('E03')).toMatchObject({ state: 'terminated' });

    const refused = await app!.inject({ method: 'POST', url: `/api/v1/plans/${held.plan.id}/apply`, headers: { authorization: `Bearer ${admin}` } });
    expect(refused.statusCode).toBe(409);
    const forced = await app!.inject({ method: 'POST', url: `/api/v1/plans/${held.plan.id}/apply?force=true`, headers: { authorization: `Bearer ${admin}` } });
    expect(forced.statusCode).toBe(200);
    expect(forced.json()).toMatchObject({ applied: 1, failed: 0 });
    expect(enabled('E03')).toBe(false);

    // The forced disable counts too: the next one is held while the first two are still in the window.
    now = new Date('2026-11-27T10:59:00.000Z');
    const again = await terminate('E04');
    expect(again.plan.holds.map((h: { code: string; count: number }) => [h.code, h.count])).toEqual([['safety.max_disables_window', 4]]);
    expect(enabled('E04')).toBe(true);
  });

  it('lets the window slide with the clock, and the next full plan applies what was held', async () => {
    const { terminate } = await start('1h');
    await terminate('E01');
    await terminate('E02');
    expect((await terminate('E03')).plan.held).toBe(true);
    now = new Date('2026-11-27T11:02:00.000Z'); // the first two left the window (judged in minutes)
    const later = await terminate('E04');
    expect(later).toMatchObject({ plan: { held: false }, applied: 1 });
    expect(enabled('E04')).toBe(false);
    expect(enabled('E03')).toBe(true);
    const sync = await engine!.sync({ actor: 'test' });
    expect(sync.plan.held).toBe(false);
    expect(sync.result).toMatchObject({ applied: 1 });
    expect(enabled('E03')).toBe(false);
    // The full plan's disable counts: with E04 and E03 in the window, one more is held.
    expect((await terminate('E05')).plan.holds.map((h: { code: string }) => h.code)).toEqual(['safety.max_disables_window']);
  });

  it('counts across processes: two engines on one store pushing at once never pass the limit together', async () => {
    const { push, configPath } = await start('1h');
    const other = await openEngine(configPath, { now: () => now, log: silentLogger });
    const otherApp = await buildServer(other, { logger: false, now: () => now });
    try {
      const terminateOn = async (server: FastifyInstance, ids: string[]) => {
        const held: boolean[] = [];
        for (const id of ids) {
          const res = await server.inject({
            method: 'POST', url: '/api/v1/sources/hr/records', headers: { authorization: `Bearer ${push}` },
            payload: { records: [{ _action: 'terminate', employeeId: id }] },
          });
          expect(res.statusCode).toBe(200);
          held.push(res.json().plan.held as boolean);
        }
        return held;
      };
      const [first, second] = await Promise.all([terminateOn(app!, ['E01', 'E02', 'E03']), terminateOn(otherApp, ['E04', 'E05', 'E06'])]);
      expect([...first, ...second].filter((h) => !h)).toHaveLength(2);
      expect(people.slice(0, 6).filter((id) => enabled(id) === false)).toHaveLength(2);
    } finally {
      await otherApp.close();
      await other.close();
    }
  });

  it('judges nothing over a window when safety.window is none', async () => {
    const { terminate } = await start('none');
    for (const id of ['E01', 'E02', 'E03', 'E04']) expect(await terminate(id)).toMatchObject({ plan: { held: false }, applied: 1 });
    expect(people.slice(0, 4).map(enabled)).toEqual([false, false, false, false]);
  });
});
