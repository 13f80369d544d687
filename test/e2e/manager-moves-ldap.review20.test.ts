import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * A manager whose entry changes DN, into a real slapd: the reports' `manager`
 * is mapped from managerAccount (the manager's uid and department as Roster
 * wrote them, and whether the account is enabled). The sync that moves,
 * renames, disables, enables or deletes the manager's entry also rewrites
 * the reports' manager DNs through its follow-up plan: the next full plan has
 * nothing to do. With slapd's refint overlay following `manager` and without.
 */
describe.each([
  { refint: false, label: 'without refint on manager' },
  { refint: true, label: 'with refint on manager' },
])('a manager moved, renamed, leaving and rehired, against OpenLDAP $label (review20)', ({ refint }) => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  let offset = new Date('2026-11-27T09:00:00Z').getTime() - Date.now();
  const clock = {
    get now(): Date { return new Date(Date.now() + offset); },
    set now(date: Date) { offset = date.getTime() - Date.now(); },
  };

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, ...(refint ? { refintAttributes: ['manager'] } : {}) });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-manager-moves-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'roster.yaml'), ldapProjectYaml(slapd, {
      lifecycle: true,
      usersDn: `uid={uid},ou={department},ou=people,${s}`,
      createOUs: true,
      placeholder: true,
      userAttributes: { department: 'ou', manager: 'manager' },
      attributes: {
        uid: 'identity.givenName.lowerAscii()',
        cn: 'identity.givenName',
        sn: 'identity.familyName',
        department: 'identity.department',
        employeeNumber: 'identity.employeeId',
        manager: `'has(managerAccount.id) && managerAccount.enabled ? "uid=" + managerAccount.attributes.uid + ",ou=" + managerAccount.attributes.department + ",ou=people,${s}" : ""'`,
      },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
    }));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger, now: () => clock.now });
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  const dn = (uid: string, ou: string) => `uid=${uid},ou=${ou},ou=people,${slapd.suffix}`;

  /** uid → manager DN ('' for none) of every entry below ou=people and ou=disabled. */
  async function managers(): Promise<Record<string, string>> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'manager'] });
    return Object.fromEntries(searchEntries.map((e) => [String(e.uid), e.manager === undefined ? '' : String(e.manager).toLowerCase()]));
  }

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    expect(result.result?.followUp?.failed ?? 0).toBe(0);
    return result;
  }

  /** The next full plan, made from the same HR file: nothing left to do. */
  async function settled(): Promise<void> {
    const next = await engine.plan();
    expect(next.changes.map((c) => `${c.identity}:${c.action}:${JSON.stringify(c.after?.attributes ?? {})}`)).toEqual([]);
  }

  const team = (max: Partial<Person> = {}): Person[] => [
    person({ employeeId: 'H1', givenName: 'Hedy', familyName: 'Lamarr' }),
    person({ employeeId: 'M1', givenName: 'Max', familyName: 'Planck', managerId: 'H1', ...max }),
    person({ employeeId: 'R1', givenName: 'Ada', familyName: 'Lovelace', managerId: 'M1' }),
    person({ employeeId: 'R2', givenName: 'Alan', familyName: 'Turing', managerId: 'M1', department: 'Sales' }),
  ];
  const hedy = () => dn('hedy', 'engineering').toLowerCase();

  it('joiners: every report names the manager\'s DN after the first sync', async () => {
    await sync(team());
    expect(await managers()).toEqual({ hedy: '', max: hedy(), ada: dn('max', 'Engineering').toLowerCase(), alan: dn('max', 'Engineering').toLowerCase() });
    await settled();
  });

  it('(1) the manager moves OU (department change): the same sync rewrites the reports\' manager DN', async () => {
    await sync(team({ department: 'Operations' }));
    expect(await managers()).toEqual({ hedy: '', max: hedy(), ada: dn('max', 'Operations').toLowerCase(), alan: dn('max', 'Operations').toLowerCase() });
    await settled();
  });

  it('(2) the manager is renamed (uid change): the same sync rewrites the reports\' manager DN', async () => {
    await sync(team({ department: 'Operations', givenName: 'Maxwell' }));
    expect(await managers()).toEqual({ hedy: '', maxwell: hedy(), ada: dn('maxwell', 'Operations').toLowerCase(), alan: dn('maxwell', 'Operations').toLowerCase() });
    await settled();
  });

  const leaving = (): Person[] => team({ department: 'Operations', givenName: 'Maxwell', endDate: '2026-11-30', status: 'terminated' });

  it('(3a) the manager leaves (moved into ou=disabled): the same sync clears the reports\' manager, as the mapping says', async () => {
    clock.now = new Date('2026-12-01T09:00:00Z');
    const result = await sync(leaving());
    expect(result.plan.changes.some((c) => c.identity === 'M1' && c.action === 'disable')).toBe(true);
    expect(await managers()).toEqual({ hedy: '', maxwell: hedy(), ada: '', alan: '' });
    await settled();
  });

  it('(4a) the manager is rehired within the grace (moved back): the same sync writes the reports\' manager DN again', async () => {
    clock.now = new Date('2026-12-05T09:00:00Z');
    await sync(team({ department: 'Operations', givenName: 'Maxwell', startDate: '2026-12-05' }));
    expect(await managers()).toEqual({ hedy: '', maxwell: hedy(), ada: dn('maxwell', 'Operations').toLowerCase(), alan: dn('maxwell', 'Operations').toLowerCase() });
    await settled();
  });

  it('(3b) the manager leaves again and is deleted after the grace: the reports keep no manager', async () => {
    const gone = team({ department: 'Operations', givenName: 'Maxwell', startDate: '2026-12-05', endDate: '2026-12-10', status: 'terminated' });
    clock.now = new Date('2026-12-11T09:00:00Z');
    await sync(gone);
    expect(await managers()).toEqual({ hedy: '', maxwell: hedy(), ada: '', alan: '' });
    clock.now = new Date('2027-01-20T09:00:00Z');
    const deleted = await sync(gone);
    expect(deleted.plan.changes.some((c) => c.identity === 'M1' && c.action === 'delete')).toBe(true);
    expect(await managers()).toEqual({ hedy: '', ada: '', alan: '' });
    await settled();
  });

  it('(4b) the manager is rehired after the delete (a new entry): the same sync writes the reports\' manager DN', async () => {
    clock.now = new Date('2027-02-01T09:00:00Z');
    await sync(team({ department: 'Sales', givenName: 'Maxwell', startDate: '2027-02-01' }));
    expect(await managers()).toEqual({ hedy: '', maxwell: hedy(), ada: dn('maxwell', 'Sales').toLowerCase(), alan: dn('maxwell', 'Sales').toLowerCase() });
    await settled();
    expect((await verifyAudit(engine.store)).ok).toBe(true);
  });
});
