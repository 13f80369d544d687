import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { cliIn } from '../support/cli-project.js';
import { startLdapCounter, type LdapCounter } from '../support/ldap-counter.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * Review 14 (adversarial): a wrong bind password met by 32 changes in flight
 * over 4 pooled connections into a real slapd, counted on the wire (a proxy
 * counts the bind responses): one quarantine and one audit entry, every
 * change pending with no attempt spent, none failed; released with the
 * password still wrong, quarantined again at once, without failing anything
 * and without binding change after change; `serve`'s worker does not spin.
 */
const TARGET = 'corp-ldap';
const PASSWORD_ENV = 'ROSTER_R14_INFLIGHT_PASSWORD';
const JOINERS = 64;
const BIND_RESPONSE = 0x61;

describe('a wrong bind password with many changes in flight (real slapd)', () => {
  let slapd: RunningSlapd;
  let counter: LdapCounter;
  let admin: Client;
  let dir: string;
  let engine: Engine | undefined;
  const cli = cliIn(() => dir);
  const hr: Person[] = Array.from({ length: JOINERS }, (_, i) => person({ employeeId: `K${String(i).padStart(3, '0')}`, givenName: `Given${i}`, familyName: `Family${i}` }));

  const yaml = (): string => `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: ${TARGET}
    type: ldap
    connection:
      url: ${counter.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:${PASSWORD_ENV}}
      poolSize: 4
      users:
        base: "ou=people,${slapd.suffix}"
        dn: "uid={uid},ou=people,${slapd.suffix}"
        key: uid
        attributes: { cn: cn, sn: sn }
      disable: { strategy: move, ou: "ou=disabled,${slapd.suffix}" }
    accountKey: uid
    attributes:
      uid: identity.employeeId
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 32, maxAttempts: 1, backoffBaseMs: 10, backoffMaxMs: 50, quarantineAfter: 3 }
`;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    counter = await startLdapCounter(slapd.url);
    admin = new Client({ url: slapd.url });
    await admin.bind(slapd.bindDN, slapd.password);
    dir = mkdtempSync(join(tmpdir(), 'roster-r14-inflight-'));
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    writeFileSync(join(dir, 'roster.yaml'), yaml());
  });
  afterAll(async () => {
    delete process.env[PASSWORD_ENV];
    await counter?.close();
    await tearDown({ engine, client: admin, server: slapd, dirs: [dir] });
  });

  it('one quarantine, nothing failed or spent; released still wrong: quarantined again with a handful of binds; serve does not spin', { timeout: 60_000 }, async () => {
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger, env: { ...process.env, [PASSWORD_ENV]: 'not-the-password' } });
    await engine.readSource('hr', 'test');
    const plan = await engine.plan({ actor: 'test' });
    expect(plan.changes).toHaveLength(JOINERS);
    counter.reset();
    const result = await engine.apply(plan, { actor: 'test' });
    expect(result).toMatchObject({ applied: 0, failed: 0, pending: JOINERS, errors: [] });
    expect(await engine.store.audit.list({ kind: 'target.quarantined', limit: 10 })).toHaveLength(1);
    expect(await engine.store.audit.list({ kind: 'change.failed', limit: 10 })).toEqual([]);
    let jobs = await engine.store.queue.listByPlan(plan.id);
    expect(jobs.filter((j) => j.status !== 'pending' || j.attempts !== 0)).toEqual([]);
    const firstBinds = counter.count(BIND_RESPONSE);
    expect(firstBinds).toBeGreaterThan(0);
    // One bind per pooled connection, not one per change.
    expect(firstBinds).toBeLessThanOrEqual(4);

    // Released with the password still wrong: quarantined again, nothing failed, no attempt spent.
    expect(await engine.releaseQuarantine(TARGET, 'test')).toBe(true);
    counter.reset();
    const again = await engine.apply(plan, { actor: 'test' }).catch((error: unknown) => error);
    expect(again).not.toBeInstanceOf(Error);
    expect(await engine.store.state.get(`quarantine:${TARGET}`)).toMatchObject({ reason: expect.stringMatching(/the bind DN or password is wrong/) });
    expect(await engine.store.audit.list({ kind: 'target.quarantined', limit: 10 })).toHaveLength(2);
    jobs = await engine.store.queue.listByPlan(plan.id);
    expect(jobs.filter((j) => j.status !== 'pending' || j.attempts !== 0)).toEqual([]);
    expect(counter.count(BIND_RESPONSE)).toBeLessThanOrEqual(4);

    // The workers of `serve` in quarantine: no bind at all for a second and a half.
    counter.reset();
    await engine.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await engine.close();
    engine = undefined;
    expect(counter.count(BIND_RESPONSE)).toBe(0);

    // What the operator sees.
    process.env[PASSWORD_ENV] = 'not-the-password';
    const status = await cli('status');
    expect(status.stdout).toMatch(/corp-ldap .*quarantined since \S+: target\.unavailable: .*the bind DN or password is wrong/);
    expect(status.stdout + status.stderr).not.toContain('not-the-password');
    // The quarantines and the release are in the audit chain, which still verifies.
    const verified = await cli('audit', 'verify');
    expect(verified.code).toBe(0);
    const logged = await cli('audit', 'export');
    expect(logged.stdout).toContain('target.quarantined');
    expect(logged.stdout).not.toContain('not-the-password');
  });
});
