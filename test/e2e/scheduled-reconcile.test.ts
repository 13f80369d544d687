import { spawnSync } from 'node:child_process';
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
import { adminClient, FULL_NAME, groupsOf, ldapProjectYaml, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * `reconcile.schedule` on an OpenLDAP target, as `roster serve` runs it (the
 * scheduler's run, called here instead of waiting for cron): Roster brought
 * into a directory that already has people links them, disables the orphan
 * and creates the rest with no second pass by hand; later, what an admin
 * changed by hand (an attribute, a group membership) is put back by the next
 * scheduled run, unattended.
 */
describe('scheduled reconcile of an OpenLDAP target', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let scheduler: Scheduler;
  let dir: string;
  let reader: Client;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };
  const said: string[] = [];
  const log: Logger = { debug() {}, info: (m) => void said.push(`info ${m}`), warn: (m) => void said.push(`warn ${m}`), error: (m) => void said.push(`error ${m}`) };

  const dnOf = (uid: string, ou = 'people') => `uid=${uid},ou=${ou},${slapd.suffix}`;
  async function entry(uid: string): Promise<Record<string, unknown> | undefined> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['cn', 'mail'] });
    return searchEntries[0];
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-reconcile-'));
    const s = slapd.suffix;
    const seed = join(dir, 'seed.ldif');
    writeFileSync(seed, [
      `dn: ${dnOf('alovelace')}\nobjectClass: inetOrgPerson\nuid: alovelace\ncn: A. Lovelace\nsn: Lovelace\nemployeeNumber: E1\n`,
      `dn: ${dnOf('old.contractor')}\nobjectClass: inetOrgPerson\nuid: old.contractor\ncn: Old\nsn: Contractor\nemployeeNumber: X99\n`,
      `dn: cn=all-staff,ou=groups,${s}\nobjectClass: groupOfNames\ncn: all-staff\nmember: ${dnOf('alovelace')}\n`,
    ].join('\n'));
    const added = spawnSync('ldapadd', ['-H', slapd.url, '-x', '-D', slapd.bindDN, '-w', slapd.password, '-f', seed], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ldapadd failed: ${added.stderr}`);
    writeFileSync(join(dir, 'employees.csv'), csv([
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
    ]));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${s}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: UNIQUE_GIVEN_DOT_FAMILY, cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety: '{ maxDeletes: 50%, maxDisables: 50%, minAccounts: 0 }',
      orphans: 'disable',
    });
    const scheduled = yaml.replace('      orphans: disable\n', '      orphans: disable\n      schedule: "0 3 * * *"\n');
    expect(scheduled).not.toBe(yaml);
    writeFileSync(join(dir, 'roster.yaml'), scheduled);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
    scheduler = new Scheduler(engine as unknown as RosterEngine, log, () => clock.now);
    // What the source's own schedule does first: read HR (the target's creates wait for its first pass).
    await engine.readSource('hr', 'test');
  });
  afterAll(async () => {
    await scheduler?.stop();
    await tearDown({ engine, client: reader, server: slapd, dirs: [dir] });
  });

  it('the configured schedule is what serve runs', () => {
    expect(engine.config.targets[0]?.reconcile?.schedule).toBe('0 3 * * *');
  });

  it('first run: links the existing entry, disables the orphan, creates the joiner and corrects the linked entry', async () => {
    await scheduler.runReconcile('corp-ldap');
    expect(said.filter((m) => m.startsWith('warn') || m.startsWith('error'))).toEqual([]);
    expect(await entry('alovelace')).toMatchObject({ dn: dnOf('alovelace'), cn: 'Ada Lovelace', mail: 'ada.lovelace@example.com' });
    expect(await entry('grace.hopper')).toMatchObject({ dn: dnOf('grace.hopper'), cn: 'Grace Hopper' });
    expect((await entry('old.contractor'))?.dn).toBe(dnOf('old.contractor', 'disabled'));
    expect(await groupsOf(reader, slapd, dnOf('alovelace'))).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`]);
    expect(await groupsOf(reader, slapd, dnOf('grace.hopper'))).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`]);
    // Nobody got a second entry.
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    expect(searchEntries.map((e) => String(e.uid)).sort()).toEqual(['alovelace', 'grace.hopper', 'old.contractor']);
  });

  it('a later run puts back what an admin changed by hand', async () => {
    await reader.modify(dnOf('alovelace'), [new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['Hacked'] }) })]);
    await reader.modify(`cn=all-staff,ou=groups,${slapd.suffix}`, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOf('alovelace')] }) })]);
    // Nothing in HR changed: a plan from what the store knows sees no drift.
    expect((await engine.plan()).changes).toEqual([]);
    clock.now = new Date('2026-11-28T03:00:00Z');
    await scheduler.runReconcile('corp-ldap');
    expect((await entry('alovelace'))?.cn).toBe('Ada Lovelace');
    expect(await groupsOf(reader, slapd, dnOf('alovelace'))).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`]);
    // The orphan it disabled stays where it is; the next plan has nothing to do.
    expect((await entry('old.contractor'))?.dn).toBe(dnOf('old.contractor', 'disabled'));
    expect((await engine.plan()).changes).toEqual([]);
    const kinds = (await engine.store.audit.list({})).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'target.reconciled')).toHaveLength(2);
  });
});
