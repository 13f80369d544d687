import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { cliIn } from '../support/cli-project.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { makeTestCertificates } from '../support/tls.js';
import { tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * Review 14: a target that cannot be used at all (a wrong bind password, a
 * certificate Roster does not trust) against a real slapd. Before, each change
 * failed for good (change.failed) until quarantineAfter of them had, and those
 * people had to be planned again by hand. Now the first such error
 * quarantines the target, no change fails, and every change waits; fixed and
 * released, they all land.
 */
const TARGET = 'corp-ldap';
const PASSWORD_ENV = 'ROSTER_R14_TARGET_WIDE_PASSWORD';
const JOINERS = 12;

describe('a target that cannot be used as a whole (real slapd)', () => {
  let slapd: RunningSlapd;
  let admin: Client;
  let dir: string;
  let engine: Engine | undefined;
  const cli = cliIn(() => dir);
  const s = (): string => slapd.suffix;
  const hr: Person[] = Array.from({ length: JOINERS }, (_, i) => person({ employeeId: `J${String(i).padStart(3, '0')}`, givenName: `Given${i}`, familyName: `Family${i}` }));

  /** `url` and `tls`: the connection's; ldaps:// with a CA that did not sign slapd's certificate makes it refused. */
  function yaml(connection: { url: string; tls?: string }): string {
    return `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: ${TARGET}
    type: ldap
    connection:
      url: ${connection.url}
${connection.tls === undefined ? '' : `      tls: ${connection.tls}\n`}      bindDN: "${slapd.bindDN}"
      password: \${env:${PASSWORD_ENV}}
      poolSize: 2
      users:
        base: "ou=people,${s()}"
        dn: "uid={uid},ou=people,${s()}"
        key: uid
        attributes: { cn: cn, sn: sn, employeeNumber: employeeNumber }
      disable: { strategy: move, ou: "ou=disabled,${s()}" }
    accountKey: uid
    attributes:
      uid: identity.employeeId
      employeeNumber: identity.employeeId
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 4, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 50, quarantineAfter: 20 }
`;
  }

  /** The uids under ou=people, sorted. */
  async function uidsInSlapd(): Promise<string[]> {
    const { searchEntries } = await admin.search(`ou=people,${s()}`, { scope: 'one', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    return searchEntries.map((e) => String(e.uid)).sort();
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, tls: true });
    // Plain ldap:// (adminClient would speak TLS to it, slapd having a CA).
    admin = new Client({ url: slapd.url });
    await admin.bind(slapd.bindDN, slapd.password);
    dir = mkdtempSync(join(tmpdir(), 'roster-r14-target-wide-'));
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    makeTestCertificates(join(dir, 'other'), 'other.example');
    writeFileSync(join(dir, 'ca.pem'), slapd.ca ?? '');
  });
  afterAll(async () => {
    delete process.env[PASSWORD_ENV];
    await tearDown({ engine, client: admin, server: slapd, dirs: [dir] });
  });

  it('a wrong bind password: quarantined at once naming the credentials, no change failed; fixed and released, every joiner lands', { timeout: 60_000 }, async () => {
    writeFileSync(join(dir, 'roster.yaml'), yaml({ url: slapd.url }));
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger, env: { ...process.env, [PASSWORD_ENV]: 'not-the-password' } });
    await engine.readSource('hr', 'test');
    const plan = await engine.plan({ actor: 'test' });
    expect(plan.changes.filter((c) => c.action === 'create')).toHaveLength(JOINERS);
    const result = await engine.apply(plan, { actor: 'test' });

    expect(result.failed).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.applied).toBe(0);
    expect(result.pending).toBe(plan.changes.length);
    expect(result.quarantined).toEqual([expect.objectContaining({ target: TARGET, pending: plan.changes.length, reason: expect.stringMatching(/the bind DN or password is wrong \(LDAP 49/) })]);
    expect(result.quarantined?.[0]?.reason).not.toContain('not-the-password');
    expect(await engine.store.audit.list({ kind: 'change.failed', limit: 100 })).toEqual([]);
    const quarantined = await engine.store.audit.list({ kind: 'target.quarantined', limit: 10 });
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.data).toMatchObject({ targetWide: true });
    const jobs = await engine.store.queue.listByPlan(plan.id);
    expect(new Set(jobs.map((j) => j.status))).toEqual(new Set(['pending']));
    // No attempt spent: maxAttempts is 2, and they would otherwise run out on the next tries.
    expect(jobs.every((j) => j.attempts === 0)).toBe(true);
    expect(await uidsInSlapd()).toEqual([]);
    // What `roster apply` makes of it: exit 1, and the quarantine said with what to do.
    const { hasProblems } = await import('../../src/cli/commands/apply.js');
    expect(hasProblems(result)).toBe(true);
    await engine.close();
    engine = undefined;

    // The operator fixes the password: a new process, the same store; releases the target and applies.
    process.env[PASSWORD_ENV] = slapd.password;
    const status = await cli('status');
    expect(status.stdout).toMatch(/corp-ldap .*quarantined since \S+: target\.unavailable: .*the bind DN or password is wrong/);
    const released = await cli('quarantine', 'release', TARGET);
    expect(released.stdout).toContain(`Released ${TARGET}`);
    const applied = await cli('apply', '--yes');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`Plan ${plan.id}: ${plan.changes.length} applied, 0 failed`);

    expect(await uidsInSlapd()).toEqual(hr.map((p) => p.employeeId).sort());
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
    expect(await engine.store.queue.stats({ planId: plan.id })).toMatchObject({ done: plan.changes.length, pending: 0, running: 0, failed: 0 });
    expect(await engine.store.accounts.listByTarget(TARGET)).toHaveLength(JOINERS);
    await engine.close();
    engine = undefined;
  });

  it('a certificate Roster does not trust: quarantined at once, no change failed; with the right CA, every change lands', { timeout: 60_000 }, async () => {
    const moved = hr.map((p) => ({ ...p, familyName: `${p.familyName}-Moved` }));
    writeFileSync(join(dir, 'employees.csv'), csv(moved));
    writeFileSync(join(dir, 'roster.yaml'), yaml({ url: slapd.ldapsUrl ?? '', tls: '{ ca: other/ca.pem }' }));
    process.env[PASSWORD_ENV] = slapd.password;
    const run = await cli('sync', '--yes');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Plan \S+: 0 applied, 0 failed, \d+ pending$/m);
    expect(run.stdout).toMatch(/^ {2}corp-ldap is in quarantine since \S+: target\.unavailable: .*cannot reach the directory \(.*certificate.*; \d+ changes wait for it: fix the cause, then roster quarantine release corp-ldap$/m);

    writeFileSync(join(dir, 'roster.yaml'), yaml({ url: slapd.ldapsUrl ?? '', tls: '{ ca: ca.pem }' }));
    expect((await cli('quarantine', 'release', TARGET)).code).toBe(0);
    const again = await cli('apply', '--yes');
    expect(again.code).toBe(0);
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
    expect(await engine.store.queue.stats({ target: TARGET })).toMatchObject({ pending: 0, running: 0, failed: 0 });
    expect(await engine.store.audit.list({ kind: 'change.failed', limit: 100 })).toEqual([]);
    const { searchEntries } = await admin.search(`uid=${hr[0]!.employeeId},ou=people,${s()}`, { scope: 'base', attributes: ['sn'] });
    expect(searchEntries[0]?.sn).toBe(`${hr[0]!.familyName}-Moved`);
  });
});
