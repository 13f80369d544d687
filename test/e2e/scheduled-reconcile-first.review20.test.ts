import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * The first scheduled reconcile of an OpenLDAP target that already holds
 * entries (Ada's, and three nobody in HR has), run unattended by `roster
 * serve`: whatever the pass cannot trust, nothing is disabled or deleted, and
 * the log says what an operator must do.
 */
describe('first scheduled reconcile: nothing destructive unattended (review20)', () => {
  let slapd: RunningSlapd | undefined;
  let admin: Client | undefined;
  let engine: Engine | undefined;
  let dir: string | undefined;
  const NOW = new Date('2026-11-27T03:00:00Z');
  const dnOf = (uid: string) => `uid=${uid},ou=people,${slapd?.suffix ?? ''}`;
  afterEach(async () => {
    await tearDown({ engine, client: admin, server: slapd, dirs: [dir] });
    engine = undefined;
  });

  /** A slapd holding e1 and old0..old2, HR holding `people`, `orphans: delete` on the schedule; the pass run once. */
  async function firstPass(safety: string, people: readonly string[], readHr = true): Promise<{ warnings: string[] }> {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-first-'));
    writeFileSync(join(dir, 'seed.ldif'), [
      `dn: ${dnOf('e1')}\nobjectClass: inetOrgPerson\nuid: e1\ncn: A. Lovelace\nsn: Lovelace\nemployeeNumber: e1\n`,
      ...[0, 1, 2].map((i) => `dn: ${dnOf(`old${i}`)}\nobjectClass: inetOrgPerson\nuid: old${i}\ncn: Old\nsn: Contractor\nemployeeNumber: X${i}\n`),
    ].join('\n'));
    const added = spawnSync('ldapadd', ['-H', slapd.url, '-x', '-D', slapd.bindDN, '-w', slapd.password, '-f', join(dir, 'seed.ldif')], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ldapadd failed: ${added.stderr}`);
    writeFileSync(join(dir, 'employees.csv'), csv(people.map((id) => person({ employeeId: id, givenName: 'P', familyName: id }))));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety, orphans: 'delete',
    });
    writeFileSync(join(dir, 'roster.yaml'), yaml.replace('      orphans: delete\n', '      orphans: delete\n      schedule: "0 3 * * *"\n'));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => NOW });
    if (readHr) await engine.readSource('hr', 'test');
    const warnings: string[] = [];
    const log: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(`error: ${m}`) };
    await new Scheduler(engine as unknown as RosterEngine, log, () => NOW).runReconcile('corp-ldap');
    return { warnings };
  }
  async function entries(): Promise<string[]> {
    const { searchEntries } = await admin!.search(slapd!.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['1.1'] });
    return searchEntries.map((e) => e.dn.replace(/,dc=.*$/, '')).sort();
  }
  const SEEDED = ['uid=e1,ou=people', 'uid=old0,ou=people', 'uid=old1,ou=people', 'uid=old2,ou=people'];

  it('a first read below safety.minAccounts that links nobody deletes none of what it read, and says to run the pass by hand', async () => {
    // HR knows none of the four (a mistyped base reads a few service accounts the same way).
    const { warnings } = await firstPass('{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 10 }', ['j1', 'j2']);
    expect(await entries()).toEqual(SEEDED);
    expect(warnings).toEqual([
      expect.stringMatching(/^scheduled reconcile: corp-ldap: read 4 accounts under ou=people,dc=example,dc=com, fewer than safety\.minAccounts \(10\), and linked none; creates in corp-ldap stay held/),
      'scheduled reconcile: orphan actions held; not applied (roster reconcile --target to review them)',
    ]);
    const pass = (await engine!.store.audit.list({ kind: 'target.reconciled' }))[0];
    expect(pass?.data).toMatchObject({ orphans: 4, held: true });
    // The creates stay held too: the plan after the pass made nothing.
    const plan = await engine!.plan();
    expect(plan.changes).toEqual([]);
    expect(plan.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining('2 creates in corp-ldap held'));
  });

  it('an empty store: the pass is refused, nothing is touched, the log says to read HR first', async () => {
    const { warnings } = await firstPass('{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }', ['e1', 'j1'], false);
    expect(await entries()).toEqual(SEEDED);
    expect(warnings).toEqual([expect.stringMatching(/^scheduled reconcile: corp-ldap: no identities yet: read 4 accounts.*Run `roster plan` or `roster sync` first/)]);
  });

  it('orphan deletes over maxDeletes: held, logged with the hold, the rest of the plan applied', async () => {
    const { warnings } = await firstPass('{ maxDeletes: 1, maxDisables: 100%, minAccounts: 0 }', ['e1', 'j1']);
    expect(await entries()).toEqual([...SEEDED, 'uid=j1,ou=people'].sort());
    expect(warnings).toEqual(['scheduled reconcile: orphan actions held; not applied (roster reconcile --target to review them)']);
  });

  it('a first read at or above minAccounts that links someone acts on its orphans as configured', async () => {
    const { warnings } = await firstPass('{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 3 }', ['e1']);
    expect(warnings).toEqual([]);
    expect(await entries()).toEqual(['uid=e1,ou=people']);
  });
});
