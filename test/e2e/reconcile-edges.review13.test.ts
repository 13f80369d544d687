import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { ReconcileResult } from '../../src/engine/types.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';

/**
 * Roster brought into an OpenLDAP that already holds 273 people (review13):
 * read in pages of 25 while another client modifies and renames entries,
 * linked by employeeNumber (exact, spaces trimmed), then mail (case and
 * spaces set aside), then cn against HR's displayName (stored decomposed and
 * in upper case). Every entry is read once, and the sync after the pass
 * creates an entry only for the people who had none: no duplicates.
 */
describe('reconcile a directory that already has a few hundred people (slapd, paged, review13)', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  const id = (i: number) => `E${String(i).padStart(4, '0')}`;
  const HR = 300;
  const ORPHANS = 20;
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const accented = (i: number) => ({ given: 'Zoë', family: `Ångström${i}` });
  const nameOf = (i: number) => (i >= 241 && i <= 250 ? accented(i) : { given: 'Pat', family: `Person${i}` });
  const mailOf = (i: number) => `${nameOf(i).given === 'Pat' ? 'pat' : 'zoe'}.person${i}@example.com`;

  /** The entry each HR person already has (none for 252-255 and 257-300; two for 251), as LDIF lines after the dn's. */
  function existing(i: number): string[][] {
    if (i <= 140) return [[`employeeNumber: ${id(i)}`, `mail: old${i}@old.example`]];
    if (i <= 150) return [[`employeeNumber:: ${b64(` ${id(i)}  `)}`]];
    if (i <= 190) return [[`mail: ${mailOf(i).replace('pat.person', 'Pat.Person').toUpperCase().replace('PAT.PERSON', 'Pat.Person')}`]];
    if (i <= 230) return [[`mail:: ${b64(`  ${mailOf(i)} `)}`]];
    if (i <= 240) return [[`employeeNumber: ${id(i).toLowerCase()}`, `mail: ${mailOf(i)}`]];
    if (i <= 250) return [[`cn:: ${b64(`ZOË ÅNGSTRÖM${i}`.normalize('NFD'))}`]];
    if (i === 251) return [[`employeeNumber: ${id(i)}`], [`employeeNumber: ${id(i)}`]];
    if (i === 256) return [[`employeeNumber: ${id(i)}`, `mail: ${mailOf(257)}`]];
    return [];
  }

  function ldapadd(ldif: string): void {
    const file = join(dir, 'seed.ldif');
    writeFileSync(file, ldif);
    const result = spawnSync('ldapadd', ['-H', slapd.url, '-x', '-D', slapd.bindDN, '-w', slapd.password, '-f', file], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`ldapadd failed: ${result.stderr}`);
  }
  async function entries(): Promise<{ uid: string; employeeNumber: string[] }[]> {
    const { searchEntries } = await reader.search(`ou=people,${slapd.suffix}`, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'employeeNumber'] });
    return searchEntries.map((e) => ({ uid: String(e.uid), employeeNumber: ([] as unknown[]).concat(e.employeeNumber ?? []).map((v) => String(v).trim()) }));
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-reconcile-r13-'));
    const s = slapd.suffix;
    const blocks: string[] = [];
    const entry = (uid: string, lines: readonly string[]) => {
      const cn = lines.some((l) => l.startsWith('cn:')) ? [] : [`cn: ${uid}`];
      blocks.push([`dn: uid=${uid},ou=people,${s}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, ...cn, `sn: ${uid}`, ...lines].join('\n'));
    };
    for (let i = 1; i <= HR; i++) existing(i).forEach((lines, n) => entry(`u${i}${n === 0 ? '' : `-${n}`}`, lines));
    for (let j = 1; j <= ORPHANS; j++) entry(`gone${j}`, [`employeeNumber: X${j}`, `mail: gone${j}@example.com`]);
    ldapadd(`${blocks.join('\n\n')}\n`);
    const rows = Array.from({ length: HR }, (_, k) => {
      const i = k + 1;
      const { given, family } = nameOf(i);
      return [id(i), given, family, mailOf(i), `${given} ${family}`, '2020-01-01'].join(',');
    });
    writeFileSync(join(dir, 'employees.csv'), ['employeeId,givenName,familyName,email,displayName,startDate', ...rows].join('\n') + '\n');
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${s}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: {
        uid: UNIQUE_GIVEN_DOT_FAMILY, cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId',
      },
      safety: '{ maxDeletes: 5%, maxDisables: 5%, minAccounts: 10 }',
      orphans: 'report',
    });
    const paged = yaml.replace('      users:\n', '      pageSize: 25\n      users:\n')
      .replace('        - { account: email, identity: email }\n', '        - { account: email, identity: email }\n        - { account: cn, identity: displayName }\n');
    expect(paged).toContain('pageSize: 25');
    expect(paged).toContain('account: cn, identity: displayName');
    writeFileSync(join(dir, 'roster.yaml'), paged);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
    await engine.readSource('hr', 'test');
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  let report: ReconcileResult;

  it('reads every entry once in pages while another client modifies and renames entries, and sorts them out', async () => {
    const writer = await adminClient(slapd);
    let stop = false;
    let writes = 0;
    const busy = (async () => {
      for (let n = 0; !stop; n++) {
        const i = (n % 140) + 1;
        await writer.modify(`uid=u${i},ou=people,${slapd.suffix}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: [`edit ${n}`] }) })]);
        if (n < ORPHANS) await writer.modifyDN(`uid=gone${n + 1},ou=people,${slapd.suffix}`, `uid=gone${n + 1}-renamed`);
        writes += 1;
      }
    })();
    try {
      report = await engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    } finally {
      stop = true;
      await busy;
      await writer.unbind();
    }
    expect(writes).toBeGreaterThan(0);
    expect(report.accounts).toBe(273);
    const ids = [...report.matched.map((m) => m.accountId), ...report.orphans.map((o) => o.accountId), ...report.disputed.map((d) => d.accountId)];
    expect(new Set(ids).size).toBe(273);
    expect(report.warnings).toEqual([]);
    expect(report.orphans).toHaveLength(ORPHANS);
    expect(report.disputed.map((d) => d.candidates)).toEqual([[id(251)], [id(251)]]);
    const byRule = (rule: string) => report.matched.filter((m) => m.rule === rule).map((m) => m.identity).sort();
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => id(from + k));
    expect(byRule('employeeNumber = identity.employeeId')).toEqual([...range(1, 150), id(256)]);
    expect(byRule('email = identity.email')).toEqual(range(151, 240));
    expect(byRule('cn = identity.displayName')).toEqual(range(241, 250));
    expect(report.plan.changes).toEqual([]);
    expect(report.createsHeld).toBeUndefined();
  });

  it('the sync after it creates entries only for the people who had none: no duplicates, the dispute gets no third', async () => {
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    const creates = result.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity).sort();
    expect(creates).toEqual([252, 253, 254, 255, 257, ...Array.from({ length: 43 }, (_, k) => 258 + k)].map(id));
    const all = await entries();
    expect(all).toHaveLength(273 + 48);
    const holders = new Map<string, number>();
    for (const e of all) for (const value of e.employeeNumber) holders.set(value.toUpperCase(), (holders.get(value.toUpperCase()) ?? 0) + 1);
    for (let i = 1; i <= HR; i++) expect(holders.get(id(i)), id(i)).toBe(i === 251 ? 2 : 1);
    const again = await engine.sync({ actor: 'test' });
    expect(again.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(again.plan.changes.map((c) => `${c.action} ${c.identity}`)).toEqual([]);
  });
});
