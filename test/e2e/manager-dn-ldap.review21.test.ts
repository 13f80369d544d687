import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { REFERENCE_DEFERRED } from '../../src/engine/deferred-references.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * A report's `manager` DN read from the manager's account, into a real slapd,
 * two ways: the manager's explicit `dn` attribute (`managerAccount.attributes.dn`,
 * the target mapping `dn` itself) and the DN spelled from the uid and department
 * the template `uid={uid},ou={department},…` takes. The manager moved (HR
 * department), renamed, moved together with a report in one HR file, and moved
 * by hand then back by `users.placement: enforce`: after one sync every report
 * names the manager's DN as it is in the directory, and the next plan is empty.
 * With slapd's refint overlay following `manager` and without.
 */
describe.each([
  { mapping: 'explicit dn', refint: false },
  { mapping: 'explicit dn', refint: true },
  { mapping: 'template', refint: false },
  { mapping: 'template', refint: true },
])('review21: a report\'s manager DN ($mapping, refint $refint) follows the manager\'s entry', ({ mapping, refint }) => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, ...(refint ? { refintAttributes: ['manager'] } : {}) });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-manager-dn-'));
    const s = slapd.suffix;
    const references: Record<string, string> = mapping === 'explicit dn'
      ? {
        dn: `'"uid=" + identity.givenName.lowerAscii() + ",ou=" + identity.department + ",ou=people,${s}"'`,
        manager: '\'has(managerAccount.id) && managerAccount.enabled ? managerAccount.attributes.dn : ""\'',
      }
      : { manager: `'has(managerAccount.id) && managerAccount.enabled ? "uid=" + managerAccount.attributes.uid + ",ou=" + managerAccount.attributes.department + ",ou=people,${s}" : ""'` };
    const yaml = ldapProjectYaml(slapd, {
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
        ...references,
      },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, maxMoves: 100%, minAccounts: 0 }',
    }).replace(/^( *)key: uid$/m, '$1key: uid\n$1placement: enforce');
    expect(yaml).toMatch(/^ +placement: enforce$/m);
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  const dn = (uid: string, ou: string) => `uid=${uid},ou=${ou},ou=people,${slapd.suffix}`.toLowerCase();

  /** uid → [the entry's DN, its manager DN ('' for none)], lower-cased. */
  async function entries(): Promise<Record<string, [string, string]>> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'manager'] });
    return Object.fromEntries(searchEntries.map((e) => [String(e.uid), [e.dn.toLowerCase(), e.manager === undefined ? '' : String(e.manager).toLowerCase()]]));
  }

  const team = (max: Partial<Person> = {}, ada: Partial<Person> = {}): Person[] => [
    person({ employeeId: 'M1', givenName: 'Max', familyName: 'Planck', ...max }),
    person({ employeeId: 'R1', givenName: 'Ada', familyName: 'Lovelace', managerId: 'M1', ...ada }),
    person({ employeeId: 'R2', givenName: 'Alan', familyName: 'Turing', managerId: 'M1', department: 'Sales' }),
  ];

  /** One sync of this HR file: its plan names both reports as following the manager, and its follow-up writes both. */
  async function sync(hr: readonly Person[]): Promise<void> {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    const deferred = result.plan.diagnostics.filter((d) => d.code === REFERENCE_DEFERRED).flatMap((d) => d.identities ?? []);
    expect(deferred.sort()).toEqual(['R1', 'R2']);
    expect(result.result?.followUp).toMatchObject({ changes: 2, applied: 2, failed: 0, pending: 0 });
  }

  /** The next full plan from the same HR file: nothing left to do. */
  async function settled(): Promise<void> {
    const next = await engine.plan();
    expect(next.changes.map((c) => `${c.identity}:${c.action}:${JSON.stringify(c.after?.attributes ?? {})}`)).toEqual([]);
  }

  it('joiners: both reports name the manager\'s DN', async () => {
    await sync(team());
    const max = dn('max', 'Engineering');
    expect(await entries()).toEqual({ max: [max, ''], ada: [dn('ada', 'Engineering'), max], alan: [dn('alan', 'Sales'), max] });
    await settled();
  });

  it('the manager moves OU (department change): the same sync writes his new DN into both reports', async () => {
    await sync(team({ department: 'Operations' }));
    const max = dn('max', 'Operations');
    expect(await entries()).toEqual({ max: [max, ''], ada: [dn('ada', 'Engineering'), max], alan: [dn('alan', 'Sales'), max] });
    await settled();
  });

  it('the manager is renamed (uid change): the same sync writes his new DN into both reports', async () => {
    await sync(team({ department: 'Operations', givenName: 'Maxwell' }));
    const max = dn('maxwell', 'Operations');
    expect(await entries()).toEqual({ maxwell: [max, ''], ada: [dn('ada', 'Engineering'), max], alan: [dn('alan', 'Sales'), max] });
    await settled();
  });

  it('the manager and a report move in the same HR file: both reports name his new DN, the report is moved too', async () => {
    await sync(team({ department: 'Sales', givenName: 'Maxwell' }, { department: 'Operations' }));
    const max = dn('maxwell', 'Sales');
    expect(await entries()).toEqual({ maxwell: [max, ''], ada: [dn('ada', 'Operations'), max], alan: [dn('alan', 'Sales'), max] });
    await settled();
  });

  it('the manager moved by hand goes back (placement: enforce) and both reports name the DN he is back at', async () => {
    const s = slapd.suffix;
    const home = dn('maxwell', 'Sales');
    await reader.add(`ou=Elsewhere,ou=people,${s}`, { objectClass: ['organizationalUnit'], ou: 'Elsewhere' });
    await reader.modifyDN(`uid=maxwell,ou=Sales,ou=people,${s}`, `uid=maxwell,ou=Elsewhere,ou=people,${s}`);
    // refint followed the hand move (slapd applies it after answering the modify DN): the reports name the entry where it is now.
    await expect.poll(async () => (await entries()).ada?.[1], { timeout: 5000, interval: 50 }).toBe(refint ? dn('maxwell', 'Elsewhere') : home);
    const reconciled = await engine.reconcile('corp-ldap', { actor: 'test' });
    expect(reconciled.plan.changes).toEqual([]);
    writeFileSync(join(dir, 'employees.csv'), csv(team({ department: 'Sales', givenName: 'Maxwell' }, { department: 'Operations' })));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    expect(result.plan.changes.filter((c) => c.identity === 'M1').map((c) => `${c.action} ${c.reasons.join(',')}`)).toEqual(['update active,placement.drift']);
    expect(await entries()).toEqual({ maxwell: [home, ''], ada: [dn('ada', 'Operations'), home], alan: [dn('alan', 'Sales'), home] });
    await settled();
  });
});
