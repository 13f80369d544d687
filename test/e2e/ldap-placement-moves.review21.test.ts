import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { openEngine } from '../../src/engine/index.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { entryOf, openWorld, person, sync, tearDown, type World } from './ldap-flows-world.js';

/**
 * safety.maxMoves against slapd: with users.placement: enforce, a changed
 * users.dn (here the OU, createOUs: true) makes reconcile record every entry
 * as misplaced; the plan that would move them all is held (safety.max_moves,
 * default 10%), by the scheduled reconcile too (logged), and nothing moves
 * until it is applied with force.
 */
const connection = (ou: string) => `users:
  base: "ou=people,$S"
  dn: "uid={uid},${ou},ou=people,$S"
  createOUs: true
  key: uid
  attributes: { email: mail, department: departmentNumber }
  placement: enforce
groups: { base: "ou=groups,$S", objectClass: groupOfNames, names: true, create: true }`;
const ROLES = `roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
`;
const PEOPLE = Array.from({ length: 20 }, (_, i) =>
  person({ employeeId: `E${i + 1}`, givenName: 'Ann', familyName: `Lee${i + 1}`, department: i % 2 === 0 ? 'Engineering' : 'Sales' }));

describe('review21: safety.maxMoves holds a mass move after users.dn changed (slapd)', () => {
  let w: World;
  const said: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (m, f) => void said.push(`${m} ${JSON.stringify(f)}`), error: (m, f) => void said.push(`error ${m} ${JSON.stringify(f)}`) };
  const dnsNow = async () => Promise.all(PEOPLE.map(async (p) => (await entryOf(w, p.employeeId))?.entry?.dn));

  beforeAll(async () => { w = await openWorld(connection('ou={department}'), ROLES); });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('20 joiners land in their department OU', async () => {
    w.hr = PEOPLE;
    const r = await sync(w);
    expect(r.plan.held).toBe(false);
    expect(r.result?.errors ?? []).toEqual([]);
    expect((await entryOf(w, 'E1'))?.entry?.dn).toBe(`uid=ann.lee1,ou=Engineering,ou=people,${w.slapd.suffix}`);
    expect((await entryOf(w, 'E2'))?.entry?.dn).toBe(`uid=ann.lee2,ou=Sales,ou=people,${w.slapd.suffix}`);
  });

  it('users.dn changed: the scheduled reconcile records all 20 misplaced, and its plan is held and logged; nothing moves', async () => {
    const before = await dnsNow();
    const file = join(w.dir, 'roster.yaml');
    const text = readFileSync(file, 'utf8');
    const changed = text.replace('ou={department},ou=people', 'ou=Staff,ou=people');
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    await w.engine.close();
    w.engine = await openEngine(file, { now: () => w.clock.now });

    const scheduler = new Scheduler(w.engine as unknown as RosterEngine, log, () => w.clock.now);
    await scheduler.runReconcile('corp-ldap');
    await scheduler.stop();
    const held = said.filter((line) => line.startsWith('plan held; not applied'));
    expect(held).toHaveLength(1);
    expect(held[0]).toContain('"code":"safety.max_moves"');
    expect(held[0]).toContain('would move 20 of 20 accounts in corp-ldap back where users.dn places them (placement drift; 100%); the limit is 10%');
    expect(said.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(await dnsNow()).toEqual(before);
    for (const p of PEOPLE) expect((await entryOf(w, p.employeeId))?.link.placement?.belongs.toLowerCase()).toMatch(/,ou=staff,ou=people,/);
  });

  it('the next plan is held with safety.max_moves; apply refuses it; apply with force moves all 20, groups following', async () => {
    const before = await dnsNow();
    const plan = await w.engine.plan({ actor: 'test' });
    expect(plan.summary).toEqual({ update: 20 });
    expect(plan.changes.every((c) => c.reasons.includes('placement.drift'))).toBe(true);
    expect(plan.held).toBe(true);
    expect(plan.holds).toEqual([expect.objectContaining({ target: 'corp-ldap', code: 'safety.max_moves', count: 20, limit: 2 })]);
    await expect(w.engine.apply(plan, { actor: 'test' })).rejects.toMatchObject({ code: 'plan.held' });
    expect(await dnsNow()).toEqual(before);

    const result = await w.engine.apply(plan, { actor: 'test', force: true });
    expect(result.errors).toEqual([]);
    const s = w.slapd.suffix;
    expect(await dnsNow()).toEqual(PEOPLE.map((p) => `uid=ann.${p.familyName.toLowerCase()},ou=Staff,ou=people,${s}`));
    const { searchEntries } = await w.admin.search(`cn=all-staff,ou=groups,${s}`, { scope: 'base', attributes: ['member'] });
    const members = [searchEntries[0]?.['member'] ?? []].flat().map((m) => String(m).toLowerCase());
    expect(members.filter((m) => m.includes('ou=staff,'))).toHaveLength(20);
    for (const p of PEOPLE) expect((await entryOf(w, p.employeeId))?.link.placement).toBeUndefined();

    // Put right: the next pass finds nothing to move.
    expect((await w.engine.reconcile('corp-ldap', { actor: 'test' })).plan.changes).toEqual([]);
    const again = await w.engine.plan({ actor: 'test' });
    expect(again).toMatchObject({ held: false, changes: [] });
  });
});
