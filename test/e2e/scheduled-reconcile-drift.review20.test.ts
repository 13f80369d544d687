import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, departmentRoles, FULL_NAME, groupsOf, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

const MARKER = 'description';
const STRATEGIES = {
  move: (s: string) => `{ strategy: move, ou: "ou=disabled,${s}" }`,
  attribute: () => `{ strategy: attribute, attribute: ${MARKER}, value: DISABLED }`,
  'strip-groups': () => `{ strategy: strip-groups, attribute: ${MARKER}, value: DISABLED }`,
} as const;

/**
 * What a scheduled reconcile of an OpenLDAP target puts back, one person per
 * kind of drift an admin makes by hand, under each disable strategy: an
 * attribute changed, an attribute cleared, a membership removed, a
 * membership added to a group a role manages, the entry disabled, the entry
 * deleted. One kind is not drift to Roster: an entry moved by hand to
 * another OU under users.base stays where it was put (the link keeps the DN
 * Roster wrote; docs/directories.md promises attributes and memberships),
 * keeping its link, attributes and groups.
 */
describe.each(Object.keys(STRATEGIES) as (keyof typeof STRATEGIES)[])('scheduled reconcile puts hand-made drift back (disable: %s, review20)', (strategy) => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let scheduler: Scheduler;
  let dir: string;
  let admin: Client;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };
  const said: string[] = [];
  const log: Logger = { debug() {}, info: (m) => void said.push(`info ${m}`), warn: (m, f) => void said.push(`warn ${m} ${JSON.stringify(f)}`), error: (m, f) => void said.push(`error ${m} ${JSON.stringify(f)}`) };
  const dnOf = (uid: string, ou = 'people') => `uid=${uid},ou=${ou},${slapd.suffix}`;
  const group = (cn: string) => `cn=${cn},ou=groups,${slapd.suffix}`;
  async function entry(uid: string): Promise<Record<string, unknown> | undefined> {
    const { searchEntries } = await admin.search(slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['cn', 'title', MARKER] });
    return searchEntries[0];
  }
  const replace = (type: string, values: string[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    await admin.add(`ou=elsewhere,ou=people,${slapd.suffix}`, { objectClass: 'organizationalUnit', ou: 'elsewhere' });
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-drift-'));
    writeFileSync(join(dir, 'employees.csv'), csv([
      person({ employeeId: 'e1', givenName: 'Ada', familyName: 'Lovelace', title: 'Engineer' }),
      person({ employeeId: 'e2', givenName: 'Grace', familyName: 'Hopper', title: 'Admiral' }),
      person({ employeeId: 'e3', givenName: 'Alan', familyName: 'Turing' }),
      person({ employeeId: 'e4', givenName: 'Bob', familyName: 'Byte', department: 'Sales' }),
      person({ employeeId: 'e5', givenName: 'Carl', familyName: 'Moved' }),
      person({ employeeId: 'e6', givenName: 'Dora', familyName: 'Disabled' }),
      person({ employeeId: 'e7', givenName: 'Eve', familyName: 'Deleted' }),
    ]));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn', title: 'title' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId', title: 'identity.title' },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      roles: departmentRoles('corp-ldap', { Engineering: 'engineering', Sales: 'sales' }),
      orphans: 'disable',
      disable: STRATEGIES[strategy](slapd.suffix),
    });
    writeFileSync(join(dir, 'roster.yaml'), yaml.replace('      orphans: disable\n', '      orphans: disable\n      schedule: "0 3 * * *"\n'));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
    scheduler = new Scheduler(engine as unknown as RosterEngine, log, () => clock.now);
    await engine.readSource('hr', 'test');
    await scheduler.runReconcile('corp-ldap', { scheduled: true });
    expect((await engine.plan()).changes).toEqual([]);
  });
  afterAll(async () => {
    await scheduler?.stop();
    await tearDown({ engine, client: admin, server: slapd, dirs: [dir] });
  });

  it('each kind of drift is put back by the next scheduled run, but a move to another OU', async () => {
    const uuid = async (uid: string) => (await engine.store.accounts.listByIdentity(uid)).find((l) => l.target === 'corp-ldap')?.accountId;
    const e5 = await uuid('e5');
    const e7 = await uuid('e7');
    await admin.modify(dnOf('e1'), [replace('cn', ['Hacked'])]);
    await admin.modify(dnOf('e2'), [replace('title', [])]);
    await admin.modify(group('all-staff'), [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOf('e3')] }) })]);
    await admin.modify(group('engineering'), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dnOf('e4')] }) })]);
    await admin.modifyDN(dnOf('e5'), `uid=e5,ou=elsewhere,ou=people,${slapd.suffix}`);
    if (strategy === 'move') await admin.modifyDN(dnOf('e6'), dnOf('e6', 'disabled'));
    else await admin.modify(dnOf('e6'), [replace(MARKER, ['DISABLED'])]);
    if (strategy === 'strip-groups') {
      for (const g of ['all-staff', 'engineering']) await admin.modify(group(g), [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOf('e6')] }) })]);
    }
    for (const g of ['all-staff', 'engineering']) await admin.modify(group(g), [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOf('e7')] }) })]);
    await admin.del(dnOf('e7'));
    // Nothing in HR changed: without a pass, a plan sees none of it.
    expect((await engine.plan()).changes).toEqual([]);

    clock.now = new Date('2026-11-28T03:00:00Z');
    said.length = 0;
    await scheduler.runReconcile('corp-ldap', { scheduled: true });
    // The pass, then what the plan after it put back (review21: the log said nothing of it before).
    expect(said).toEqual(['info scheduled reconcile', 'info scheduled reconcile: plan applied']);
    expect((await entry('e1'))?.cn).toBe('Ada Lovelace');
    expect((await entry('e2'))?.title).toBe('Admiral');
    expect(await groupsOf(admin, slapd, dnOf('e3'))).toEqual([group('all-staff'), group('engineering')]);
    expect(await groupsOf(admin, slapd, dnOf('e4'))).toEqual([group('all-staff'), group('sales')]);
    expect(await entry('e6')).toMatchObject({ dn: dnOf('e6'), [MARKER]: [] });
    expect(await groupsOf(admin, slapd, dnOf('e6'))).toEqual([group('all-staff'), group('engineering')]);
    const again = await entry('e7');
    expect(again?.dn).toBe(dnOf('e7'));
    expect(await uuid('e7')).not.toBe(e7);
    expect(await groupsOf(admin, slapd, dnOf('e7'))).toEqual([group('all-staff'), group('engineering')]);
    // Moved by hand: left where it is, still linked, still in its groups.
    const moved = `uid=e5,ou=elsewhere,ou=people,${slapd.suffix}`;
    expect((await entry('e5'))?.dn).toBe(moved);
    expect(await uuid('e5')).toBe(e5);
    expect(await groupsOf(admin, slapd, moved)).toEqual([group('all-staff'), group('engineering')]);
    expect((await engine.plan()).changes).toEqual([]);
  });
});
