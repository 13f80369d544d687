import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { freshSchema } from '../support/pg.js';
import { appUsers, csv, person, project, type Person } from './helpers.js';

const DAY = 86_400_000;

/**
 * Whole joiner / mover / leaver flows: HR file → engine → a real SQL target,
 * on both store back ends. Time is driven by an injected clock.
 */
describe.each(['sqlite', 'postgres'] as const)('lifecycle end to end (store: %s)', (dialect) => {
  let engine: Engine;
  let paths: ReturnType<typeof project>;
  let drop: (() => Promise<void>) | undefined;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };
  let people: Person[] = [];

  const staff = () => [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Zoë', familyName: 'Müller', department: 'Sales' }),
    person({ employeeId: 'E3', givenName: 'John', familyName: 'Smith' }),
    person({ employeeId: 'E4', givenName: 'John', familyName: 'Smith', department: 'Sales' }),
    person({ employeeId: 'E5', givenName: 'Łukasz', familyName: 'Nowak', employmentType: 'contractor', endDate: '2027-06-30' }),
    ...Array.from({ length: 15 }, (_, i) => person({ employeeId: `F${i}`, givenName: 'Filler', familyName: `Person${i}` })),
  ];

  async function sync(hr: Person[], force = false) {
    people = hr;
    writeFileSync(paths.hr, csv(hr));
    return engine.sync({ actor: 'test', force });
  }
  const byId = async (id: string) => {
    const links = await engine.store.accounts.listByIdentity(id);
    return links.find((l) => l.target === 'app');
  };
  const user = async (id: string) => {
    const link = await byId(id);
    return link ? appUsers(paths.appDb).get(link.accountId) : undefined;
  };

  beforeAll(async () => {
    let store: string | undefined;
    if (dialect === 'postgres') {
      const schema = await freshSchema('roster_e2e');
      store = schema.url;
      drop = schema.drop;
    }
    paths = project(store);
    engine = await openEngine(paths.config, { now: () => clock.now });
  });
  afterAll(async () => {
    await engine?.close();
    await drop?.();
  });

  it('joiners get accounts with unique names and birthright groups', async () => {
    const result = await sync(staff());
    expect(result.plan.held).toBe(false);
    expect(result.result?.errors).toEqual([]);
    const users = appUsers(paths.appDb);
    expect(users.size).toBe(20);
    expect(users.get('ada.lovelace')).toMatchObject({ active: 1, department: 'Engineering', groups: ['engineers', 'staff'] });
    expect(users.get('zoe.muller')).toMatchObject({ active: 1, groups: ['sales', 'staff'] });
    expect(users.has('john.smith')).toBe(true);
    expect(users.has('john.smith2')).toBe(true);
    expect(users.get('lukasz.nowak')?.groups).toEqual(['contractors', 'engineers', 'staff']);
  });

  it('a second sync with nothing changed plans nothing', async () => {
    const plan = await engine.plan();
    expect(plan.changes).toEqual([]);
  });

  it('a mover gains what the new department grants and loses what it no longer does', async () => {
    await sync(people.map((p) => (p.employeeId === 'E1' ? { ...p, department: 'Sales' } : p)));
    expect(await user('E1')).toMatchObject({ department: 'Sales', groups: ['sales', 'staff'], active: 1 });
    const timeline = await engine.store.identities.events('E1');
    expect(timeline.map((e) => e.kind)).toContain('mover');
  });

  it('a future-dated hire gets a disabled account inside the lead time, enabled on the start date', async () => {
    const start = new Date(clock.now.getTime() + 20 * DAY).toISOString().slice(0, 10);
    await sync([...people, person({ employeeId: 'E6', givenName: 'Grace', familyName: 'Hopper', startDate: start })]);
    expect(await byId('E6')).toBeUndefined();
    clock.now = new Date(clock.now.getTime() + 14 * DAY);
    await sync(people);
    expect(await user('E6')).toMatchObject({ active: 0 });
    clock.now = new Date(`${start}T00:00:01Z`);
    await sync(people);
    expect(await user('E6')).toMatchObject({ active: 1, groups: ['engineers', 'staff'] });
  });

  it('a leaver is disabled at the termination date and deleted after the grace period', async () => {
    const tomorrow = new Date(clock.now.getTime() + DAY).toISOString().slice(0, 10);
    await sync(people.map((p) => (p.employeeId === 'E3' ? { ...p, endDate: tomorrow } : p)));
    expect(await user('E3')).toMatchObject({ active: 1 });
    clock.now = new Date(`${tomorrow}T23:59:59.999Z`);
    clock.now = new Date(clock.now.getTime() + 1000);
    await sync(people);
    expect(await user('E3')).toMatchObject({ active: 0, groups: [] });
    clock.now = new Date(clock.now.getTime() + 31 * DAY);
    await sync(people);
    expect(await byId('E3')).toBeUndefined();
    expect(appUsers(paths.appDb).has('john.smith')).toBe(false);
  });

  it('a rehire gets the same identity and account back, re-enabled, never a duplicate', async () => {
    await sync(people.map((p) => (p.employeeId === 'E2' ? { ...p, endDate: '2026-01-01', status: 'terminated' } : p)));
    const before = await byId('E2');
    expect(before?.enabled).toBe(false);
    const rehired = new Date(clock.now.getTime() - DAY).toISOString().slice(0, 10);
    await sync(people.map((p) => (p.employeeId === 'E2' ? { ...p, startDate: rehired, endDate: '', status: 'active' } : p)));
    const after = await byId('E2');
    expect(after?.accountId).toBe(before?.accountId);
    expect(await user('E2')).toMatchObject({ active: 1, groups: ['sales', 'staff'] });
    expect([...appUsers(paths.appDb).keys()].filter((u) => u.startsWith('zoe.muller'))).toEqual(['zoe.muller']);
    expect((await engine.store.identities.events('E2')).map((e) => e.kind)).toContain('rehire');
  });

  it('a contractor converted to employee keeps the account and loses the contractor group', async () => {
    await sync(people.map((p) => (p.employeeId === 'E5' ? { ...p, employmentType: 'employee', endDate: '' } : p)));
    expect(await user('E5')).toMatchObject({ active: 1, groups: ['engineers', 'staff'] });
    expect((await engine.store.identities.events('E5')).map((e) => e.kind)).toContain('conversion');
  });

  it('leave of absence suspends and the return restores', async () => {
    await sync(people.map((p) => (p.employeeId === 'E4' ? { ...p, status: 'leave' } : p)));
    expect(await user('E4')).toMatchObject({ active: 0 });
    await sync(people.map((p) => (p.employeeId === 'E4' ? { ...p, status: 'active' } : p)));
    expect(await user('E4')).toMatchObject({ active: 1, groups: ['sales', 'staff'] });
  });

  it('a rescinded offer removes the never-used account', async () => {
    const start = new Date(clock.now.getTime() + 3 * DAY).toISOString().slice(0, 10);
    await sync([...people, person({ employeeId: 'E7', givenName: 'Alan', familyName: 'Turing', startDate: start })]);
    expect(await user('E7')).toMatchObject({ active: 0 });
    await sync(people.filter((p) => p.employeeId !== 'E7'));
    expect(await byId('E7')).toBeUndefined();
    expect(appUsers(paths.appDb).has('alan.turing')).toBe(false);
  });

  it('a malformed row is skipped and reported, never turned into a leaver', async () => {
    const result = await sync(people.map((p) => (p.employeeId === 'E1' ? { ...p, startDate: '31/12/2020' } : p)));
    expect(result.ingests[0]?.problems.some((p) => p.key === 'E1' && p.line > 1)).toBe(true);
    expect(await user('E1')).toMatchObject({ active: 1 });
    expect(result.plan.summary.disable ?? 0).toBe(0);
  });

  it('an empty HR file holds the plan: nobody is deprovisioned', async () => {
    const activeBefore = [...appUsers(paths.appDb).values()].filter((u) => u.active === 1).length;
    writeFileSync(paths.hr, csv([]));
    const result = await engine.sync({ actor: 'test' });
    expect(result.plan.held).toBe(true);
    expect(result.result).toBeUndefined();
    expect([...appUsers(paths.appDb).values()].filter((u) => u.active === 1).length).toBe(activeBefore);
    writeFileSync(paths.hr, csv(people));
    const back = await engine.sync({ actor: 'test' });
    expect(back.plan.held).toBe(false);
  });
});
