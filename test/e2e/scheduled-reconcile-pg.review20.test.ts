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
import { freshSchema } from '../support/pg.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * `reconcile.schedule` in two `roster serve` processes (two engines, each
 * with its own pool) on one PostgreSQL store and one slapd: the pass is made
 * once per time of the schedule, whether both fire at the same moment (the
 * lease) or one fires after the other has finished (the mark of that time).
 */
describe('scheduled reconcile: two serve processes on one PostgreSQL store (review20)', () => {
  let slapd: RunningSlapd;
  let a: Engine;
  let b: Engine;
  let dir: string;
  let drop: () => Promise<void>;
  let admin: Client;
  const clock = { now: new Date('2026-11-27T03:00:00Z') };
  const said: string[] = [];
  const log = (who: string): Logger => ({ debug() {}, info: (m) => void said.push(`${who} info ${m}`), warn: (m, f) => void said.push(`${who} warn ${m} ${JSON.stringify(f)}`), error: (m, f) => void said.push(`${who} error ${m} ${JSON.stringify(f)}`) });
  const dnOf = (uid: string, ou = 'people') => `uid=${uid},ou=${ou},${slapd.suffix}`;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    const schema = await freshSchema('review20_sched');
    drop = schema.drop;
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-pg-'));
    const seed = join(dir, 'seed.ldif');
    writeFileSync(seed, [
      `dn: ${dnOf('e1')}\nobjectClass: inetOrgPerson\nuid: e1\ncn: A. Lovelace\nsn: Lovelace\nemployeeNumber: e1\n`,
      ...Array.from({ length: 3 }, (_, i) => `dn: ${dnOf(`old${i}`)}\nobjectClass: inetOrgPerson\nuid: old${i}\ncn: Old\nsn: Contractor\nemployeeNumber: X${i}\n`),
    ].join('\n'));
    const added = spawnSync('ldapadd', ['-H', slapd.url, '-x', '-D', slapd.bindDN, '-w', slapd.password, '-f', seed], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ldapadd failed: ${added.stderr}`);
    writeFileSync(join(dir, 'employees.csv'), csv([
      person({ employeeId: 'e1', givenName: 'Ada', familyName: 'Lovelace' }),
      ...Array.from({ length: 5 }, (_, i) => person({ employeeId: `j${i}`, givenName: 'Joiner', familyName: `N${i}` })),
    ]));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }',
      orphans: 'disable',
    }).replace('store: sqlite:./data/roster.db', `store: ${schema.url}`).replace('      orphans: disable\n', '      orphans: disable\n      schedule: "0 3 * * *"\n');
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    a = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
    b = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
    await a.readSource('hr', 'test');
  });
  afterAll(async () => {
    await b?.close();
    await tearDown({ engine: a, client: admin, server: slapd, dirs: [dir] });
    await drop?.();
  });

  const count = async (kind: string) => (await a.store.audit.list({ kind, limit: 1000 })).length;
  const applied = async () => (await a.store.audit.list({ kind: 'change.applied', limit: 1000 })).map((e) => `${(e.data as { action: string }).action} ${e.identity?.startsWith('orphan:') === true ? 'orphan' : e.identity ?? ''}`).sort();

  it('fired at the same moment in both: one pass, each orphan disabled once, each joiner created once', async () => {
    const sa = new Scheduler(a as unknown as RosterEngine, log('A'), () => clock.now);
    const sb = new Scheduler(b as unknown as RosterEngine, log('B'), () => clock.now);
    await Promise.all([sa.runReconcile('corp-ldap', { scheduled: true }), sb.runReconcile('corp-ldap', { scheduled: true })]);
    expect(await count('target.reconciled')).toBe(1);
    expect(said.filter((m) => m.includes('skipped'))).toHaveLength(1);
    expect(said.filter((m) => m.includes('warn') || m.includes('error'))).toEqual([]);
    expect(await applied()).toEqual([
      ...Array.from({ length: 3 }, () => 'disable orphan'), 'grant e1', ...['j0', 'j1', 'j2', 'j3', 'j4'].flatMap((j) => [`create ${j}`, `grant ${j}`]), 'update e1',
    ].sort());
    const { searchEntries } = await admin.search(`ou=disabled,${slapd.suffix}`, { scope: 'one', filter: '(uid=*)', attributes: ['uid'] });
    expect(searchEntries.map((e) => String(e.uid)).sort()).toEqual(['old0', 'old1', 'old2']);
  });

  it('fired two seconds late in the second process (the first has finished): still one pass for that time', async () => {
    await admin.modify(dnOf('e1'), [new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['Hacked'] }) })]);
    said.length = 0;
    const before = { passes: await count('target.reconciled'), applied: (await applied()).length };
    clock.now = new Date('2026-11-28T03:00:00.020Z');
    await new Scheduler(a as unknown as RosterEngine, log('A'), () => clock.now).runReconcile('corp-ldap', { scheduled: true });
    clock.now = new Date('2026-11-28T03:00:02Z');
    await new Scheduler(b as unknown as RosterEngine, log('B'), () => clock.now).runReconcile('corp-ldap', { scheduled: true });
    expect(await count('target.reconciled')).toBe(before.passes + 1);
    expect(said).toEqual(['A info scheduled reconcile', 'A info scheduled reconcile: plan applied', 'B info scheduled reconcile skipped: another process made this pass already']);
    // The drift was put back, once.
    expect((await applied()).length).toBe(before.applied + 1);
    const { searchEntries } = await admin.search(dnOf('e1'), { scope: 'base', attributes: ['cn'] });
    expect(searchEntries[0]?.cn).toBe('Ada Lovelace');
  });
});
