import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, FULL_NAME, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * A manager moved, renamed, leaving and rehired, through the engine into a
 * Samba AD DC. `manager` is the linked attribute written as `<GUID=…>`: AD
 * itself keeps the reports' reference on the manager's current DN when he is
 * moved or renamed, and drops it when his user is deleted; the sync that
 * deletes him also records that (its follow-up clears the reports'
 * reference), so the next plan has nothing to do.
 */
describe('a manager whose DN changes, against Samba AD (review20)', () => {
  let samba: RunningSamba;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  let offset = new Date('2026-11-27T09:00:00Z').getTime() - Date.now();
  const clock = {
    get now(): Date { return new Date(Date.now() + offset); },
    set now(date: Date) { offset = date.getTime() - Date.now(); },
  };
  let people = 'OU=People';

  beforeAll(async () => {
    samba = await startSamba();
    people = `OU=People,${samba.rosterOU}`;
    reader = await adminClient(samba);
    dir = adProjectDir('roster-ad-manager-moves-', samba);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      lifecycle: true,
      usersDn: `CN={displayName},OU={department},${people}`,
      createOUs: true,
      attributes: {
        sAMAccountName: `'"r-" + identity.employeeId.lowerAscii()'`,
        displayName: FULL_NAME,
        givenName: 'identity.givenName',
        sn: 'identity.familyName',
        department: 'identity.department',
        employeeID: 'identity.employeeId',
        manager: `'has(managerAccount.id) ? "<GUID=" + managerAccount.id + ">" : ""'`,
      },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      executor: '{ concurrency: 4, maxAttempts: 6, backoffBaseMs: 50, backoffMaxMs: 400, quarantineAfter: 100 }',
    }));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger, now: () => clock.now });
  }, 400_000);
  afterAll(() => tearDown({ engine, client: reader, server: samba, dirs: [dir] }));

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    expect(result.result?.followUp?.failed ?? 0).toBe(0);
    return result;
  }
  async function settled(): Promise<void> {
    expect((await engine.plan()).changes.map((c) => `${c.identity}:${c.action}:${JSON.stringify(c.after?.attributes ?? {})}`)).toEqual([]);
  }
  /** employeeID → [DN, manager DN or ''] of every user below the Roster OU. */
  async function users(): Promise<Record<string, [string, string]>> {
    const { searchEntries } = await reader.search(samba.rosterOU, { scope: 'sub', filter: '(&(objectClass=user)(employeeID=*))', attributes: ['employeeID', 'manager'] });
    return Object.fromEntries(searchEntries.map((e) => [String(e.employeeID), [e.dn, e.manager === undefined ? '' : String(e.manager)]]));
  }
  async function expectReportsName(manager: string | undefined): Promise<void> {
    const all = await users();
    const dn = manager === undefined ? '' : all.M1?.[0] ?? 'no user';
    if (manager !== undefined) expect(dn).toBe(manager);
    expect([all.R1?.[1], all.R2?.[1]]).toEqual([dn, dn]);
  }

  const team = (max: Partial<Person> = {}): Person[] => [
    person({ employeeId: 'M1', givenName: 'Max', familyName: 'Planck', ...max }),
    person({ employeeId: 'R1', givenName: 'Ada', familyName: 'Lovelace', managerId: 'M1' }),
    person({ employeeId: 'R2', givenName: 'Alan', familyName: 'Turing', managerId: 'M1', department: 'Sales' }),
  ];

  it('moves, renames, a leave, the delete after the grace and a rehire: the reports name his current DN', async () => {
    await sync(team());
    await expectReportsName(`CN=Max Planck,OU=Engineering,${people}`);
    await settled();

    // (1) A move to another OU, (2) a rename: AD follows, Roster has nothing to write.
    await sync(team({ department: 'Operations' }));
    await expectReportsName(`CN=Max Planck,OU=Operations,${people}`);
    await settled();
    await sync(team({ department: 'Operations', givenName: 'Maxwell' }));
    await expectReportsName(`CN=Maxwell Planck,OU=Operations,${people}`);
    await settled();

    // (3) He leaves: disabled where he is; the reports keep naming him.
    clock.now = new Date('2026-12-01T09:00:00Z');
    const gone = team({ department: 'Operations', givenName: 'Maxwell', endDate: '2026-11-30', status: 'terminated' });
    await sync(gone);
    await expectReportsName(`CN=Maxwell Planck,OU=Operations,${people}`);
    await settled();

    // Deleted after the grace: AD drops the reports' manager, and the same sync's follow-up records it.
    clock.now = new Date('2027-01-05T09:00:00Z');
    const deleted = await sync(gone);
    expect(deleted.plan.changes.some((c) => c.identity === 'M1' && c.action === 'delete')).toBe(true);
    await expectReportsName(undefined);
    await settled();

    // (4) Rehired: a new user, and the reports name it again from the same sync.
    clock.now = new Date('2027-01-10T09:00:00Z');
    await sync(team({ department: 'Sales', givenName: 'Maxwell', startDate: '2027-01-10' }));
    await expectReportsName(`CN=Maxwell Planck,OU=Sales,${people}`);
    await settled();
  }, 240_000);
});
