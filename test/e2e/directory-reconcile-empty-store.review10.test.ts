import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import { openEngine } from '../../src/engine/index.js';
import { RECONCILE_REQUIRED } from '../../src/engine/planning.js';
import { memoKey } from '../../src/reconcile/memo.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * A newcomer's walk through docs/directories.md (review10): an OpenLDAP that
 * already has people (added with ldapadd, carrying their HR employeeNumber
 * under names Roster would not pick), a new store, and `roster reconcile` run
 * before anything read the HR file. That pass must not count as the first
 * one: it exits 1 and remembers nothing, the plan after it holds the creates,
 * and the pass after the plan read the HR file links everyone, so the plan
 * after that creates nobody twice.
 */
describe('roster reconcile on a new store, against an OpenLDAP that already has people', () => {
  let slapd: RunningSlapd;
  let reader: Client;
  let dir: string;
  let config: string;
  const hr = [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
    person({ employeeId: 'E3', givenName: 'Alan', familyName: 'Turing' }),
    person({ employeeId: 'E4', givenName: 'Edsger', familyName: 'Dijkstra' }),
  ];

  const cli = async (...args: string[]) => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', ...args, '--config', config], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const memo = async () => {
    const engine = await openEngine(config);
    try {
      return await engine.store.state.get(memoKey('corp-ldap'));
    } finally {
      await engine.close();
    }
  };
  const uids = async () => {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    return searchEntries.map((e) => String(e.uid)).sort();
  };

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-dir-reconcile-empty-'));
    const s = slapd.suffix;
    const entry = (uid: string, extra: string) => `dn: uid=${uid},ou=people,${s}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\n${extra}\n`;
    const file = join(dir, 'seed.ldif');
    // Three HR people already have entries, under other names than "given.family"; one entry is nobody's. E4 has none.
    writeFileSync(file, [
      entry('alovelace', 'employeeNumber: E1\n'),
      entry('ghopper', 'employeeNumber: E2\n'),
      entry('aturing', 'employeeNumber: E3\n'),
      entry('old.contractor', 'employeeNumber: X99\n'),
    ].join('\n'));
    const added = spawnSync('ldapadd', ['-H', slapd.url, '-x', '-D', slapd.bindDN, '-w', slapd.password, '-f', file], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ldapadd failed: ${added.stderr}`);
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    config = join(dir, 'roster.yaml');
    writeFileSync(config, ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${s}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: {
        uid: UNIQUE_GIVEN_DOT_FAMILY, cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId',
      },
      safety: '{ maxDeletes: 50%, maxDisables: 50%, minAccounts: 0 }',
      orphans: 'disable',
    }));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
  });
  afterAll(() => tearDown({ client: reader, server: slapd, dirs: [dir] }));

  it('reconcile before any plan exits 1, says to read the sources first, and remembers nothing (text and --json, --force too)', async () => {
    const text = await cli('reconcile', '--target', 'corp-ldap', '--force', '--yes');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('corp-ldap: no identities yet: read 4 accounts');
    expect(text.stderr).toContain('Run `roster plan` or `roster sync` first, which reads the HR sources, then reconcile');
    const json = await cli('reconcile', '--target', 'corp-ldap', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ accounts: 4, matched: [], orphans: [], plan: { changes: [], holds: [{ code: 'reconcile.no_identities' }] } });
    expect(await memo()).toBeUndefined();
    // No orphan was disabled (orphans: disable, --yes --force): every entry is still under ou=people.
    expect(await uids()).toEqual(['alovelace', 'aturing', 'ghopper', 'old.contractor']);
  });

  it('the plan after it reads the HR file and still holds every create', async () => {
    const plan = await cli('plan', '--json');
    expect(plan.code).toBe(0);
    const parsed = JSON.parse(plan.stdout) as { changes: { action: string }[]; diagnostics: { code: string; message: string }[] };
    expect(parsed.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(parsed.diagnostics.filter((d) => d.code === RECONCILE_REQUIRED)).toMatchObject([{ message: expect.stringMatching(/^4 creates in corp-ldap held/) }]);
  });

  it('reconcile after the plan read the HR file links the three people and reports the one orphan; the next plan creates only E4', async () => {
    const json = await cli('reconcile', '--target', 'corp-ldap', '--json');
    // orphans: disable, one of four (within maxDisables): planned, not applied without --yes: exit 2 as the text form (README), no problem found.
    expect(json.stderr).toContain('refusing to apply 1 orphan change in corp-ldap without confirmation: --json asks nothing; the report lists them (plan); pass --yes');
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as { matched: { identity: string }[]; orphans: unknown[]; createsHeld?: string };
    expect(report.createsHeld).toBeUndefined();
    expect(report.matched.map((m) => m.identity).sort()).toEqual(['E1', 'E2', 'E3']);
    expect(report.orphans).toHaveLength(1);
    expect(await memo()).toBeDefined();
    const plan = await cli('plan', '--json');
    const parsed = JSON.parse(plan.stdout) as { changes: { action: string; identity: string }[]; diagnostics: { code: string }[] };
    expect(parsed.diagnostics.filter((d) => d.code === RECONCILE_REQUIRED)).toEqual([]);
    expect(parsed.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E4']);
    const applied = await cli('apply', '--yes');
    expect(applied.code).toBe(0);
    expect(await uids()).toEqual(['alovelace', 'aturing', 'edsger.dijkstra', 'ghopper', 'old.contractor']);
  });
});
