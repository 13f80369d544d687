import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, groupsOf, tearDown } from './directory-config.js';
import { ldapExampleYaml } from '../support/ldap-example.js';

/**
 * The examples/ldap project run as its README says, through the CLI, against
 * a directory without the refint overlay (many production directories lack
 * it): a mover's modify DN leaves the old DN in groups unless Roster moves it.
 */
describe('JML through the CLI: examples/ldap -> OpenLDAP without refint', () => {
  let slapd: RunningSlapd;
  let dir: string;
  let reader: Client;
  let run: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, refint: false });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-jml13-cli-'));
    writeFileSync(join(dir, 'roster.yaml'), ldapExampleYaml(slapd.url, { bindPassword: slapd.password }));
    writeFileSync(join(dir, 'employees.csv'), readFileSync(join(import.meta.dirname, '../../examples/ldap/hr/employees.csv')));
    const { cliIn } = await import('../support/cli-project.js');
    run = cliIn(() => dir);
  });
  afterAll(() => tearDown({ client: reader, server: slapd, dirs: [dir] }));

  it('validate, reconcile --force, plan, apply --yes', async () => {
    for (const args of [['validate'], ['reconcile', '--target', 'corp-ldap', '--force'], ['plan'], ['apply', '--yes']]) {
      const out = await run(...args);
      expect(out.code, `${args.join(' ')}: ${out.stdout}${out.stderr}`).toBe(0);
    }
    const again = await run('plan');
    expect(again.stdout).toMatch(/no changes/);
  });

  it('a mover: the groups kept hold the new DN, not the old one', async () => {
    const text = readFileSync(join(dir, 'employees.csv'), 'utf8');
    const moved = text.replace(/^(E1003,[^,]*,[^,]*,[^,]*,)Engineering,/m, '$1Sales,');
    expect(moved).not.toBe(text);
    writeFileSync(join(dir, 'employees.csv'), moved);
    const plan = await run('plan');
    expect(plan.code).toBe(0);
    const apply = await run('apply', '--yes');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const s = slapd.suffix;
    const newDn = `uid=lukasz.nowak,ou=Sales,ou=people,${s}`;
    const oldDn = `uid=lukasz.nowak,ou=Engineering,ou=people,${s}`;
    expect((await groupsOf(reader, slapd, newDn)).map((g) => g.replace(/^cn=([^,]+),.*$/, '$1'))).toEqual(['all-staff', 'crm-users', 'sales']);
    expect(await groupsOf(reader, slapd, oldDn)).toEqual([]);
    const explain = await run('explain', 'E1003');
    expect(explain.stdout).toMatch(/crm-users\s+← role:sales/);
    expect((await run('plan')).stdout).toMatch(/no changes/);
  });
});
