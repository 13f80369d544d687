import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { collectStatus } from '../../src/cli/commands/status.js';
import type { Logger } from '../../src/connectors/types.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { ApplyResult } from '../../src/engine/types.js';
import { cliIn } from '../support/cli-project.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * An OpenLDAP target that fails while Roster provisions a few hundred people
 * through the engine (review 13): slapd stopped (SIGTERM) and started again on
 * the same port and data, slapd frozen (SIGSTOP) past timeoutMs, and the bind
 * password changed under Roster. Each time: the failure is said clearly, the
 * changes are retried with backoff, the target is quarantined after
 * quarantineAfter consecutive failures (at the first one for a wrong bind
 * password, review 14), and once the directory is back and
 * the quarantine released every change lands exactly once.
 */
const TARGET = 'corp-ldap';
const PASSWORD_ENV = 'ROSTER_R13_FAILURES_LDAP_PASSWORD';
const TIMEOUT_MS = 800;
const QUARANTINE_AFTER = 8;
/*
 * Backoffs of 1–2 s, not 10s of ms: with a retry due at once, the failure that
 * quarantines the target can be claimed again before the executor marks its
 * attempt recorded; that lease is then dropped unrun and holds the account's
 * later changes for the whole lease (60 s). Reported (review 13), not fixed here.
 */

describe('an OpenLDAP target failing in the middle of an apply', () => {
  let slapd: RunningSlapd;
  let admin: Client;
  let engine: Engine;
  let dir: string;
  let hr: Person[] = [];
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const keep = (message: string, fields?: Record<string, unknown>): void => void warnings.push({ message, ...(fields === undefined ? {} : { fields }) });
  /** Warnings and errors are kept: what an operator's log would show. */
  const log: Logger = { debug() {}, info() {}, warn: keep, error: keep };
  const cli = cliIn(() => dir);
  const s = (): string => slapd.suffix;

  const people = (from: number, to: number): Person[] => Array.from({ length: to - from }, (_, i) => {
    const n = from + i;
    const id = `E${String(n).padStart(4, '0')}`;
    return person({ employeeId: id, givenName: `Given${n}`, familyName: `Family${n}`, department: n % 3 === 0 ? 'Engineering' : 'Sales' });
  });

  function yaml(): string {
    return `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: ${TARGET}
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.serviceDN ?? ''}"
      password: \${env:${PASSWORD_ENV}}
      timeoutMs: ${TIMEOUT_MS}
      connectTimeoutMs: 500
      poolSize: 2
      users:
        base: "ou=people,${s()}"
        dn: "uid={uid},ou=people,${s()}"
        key: uid
        attributes: { employeeNumber: employeeNumber, cn: cn, sn: sn, department: ou }
      groups: { base: "ou=groups,${s()}", names: true, create: true }
      disable: { strategy: move, ou: "ou=disabled,${s()}" }
    accountKey: uid
    attributes:
      uid: identity.employeeId
      employeeNumber: identity.employeeId
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
      department: identity.department
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { concurrency: 4, maxAttempts: 40, backoffBaseMs: 1000, backoffMaxMs: 2000, quarantineAfter: ${QUARANTINE_AFTER} }
roles:
  - { id: staff, when: "true", grants: { ${TARGET}: [all-staff] } }
  - { id: eng, when: 'identity.department == "Engineering"', grants: { ${TARGET}: [engineering] } }
`;
  }

  async function open(): Promise<void> {
    await engine?.close();
    engine = await openEngine(join(dir, 'roster.yaml'), { log, env: { ...process.env, [PASSWORD_ENV]: 'secret' } });
  }

  /** Sync with HR as it is, firing `trigger` once `fraction` of the plan's changes are done; the result and how long it took. */
  async function syncInterrupted(fraction: number, trigger: () => void | Promise<void>): Promise<{ result: ApplyResult | undefined; total: number; ms: number }> {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    let fired: Promise<void> | undefined;
    let total = 0;
    const started = performance.now();
    const synced = await engine.sync({
      actor: 'test',
      onProgress: (done, all) => {
        total = all;
        if (fired === undefined && done >= all * fraction) fired = Promise.resolve(trigger());
      },
    });
    await fired;
    expect(fired, 'the failure was injected').toBeDefined();
    return { result: synced.result, total, ms: performance.now() - started };
  }

  /**
   * Release the quarantine (if any) and sync until a plan has nothing left to do and no change
   * waits in the queue (released retries wait out their backoff, up to backoffMaxMs).
   */
  async function converge(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await engine.releaseQuarantine(TARGET, 'test');
      writeFileSync(join(dir, 'employees.csv'), csv(hr));
      const synced = await engine.sync({ actor: 'test' });
      expect(synced.plan.held).toBe(false);
      const stats = await engine.store.queue.stats({ target: TARGET });
      if (synced.plan.changes.length === 0 && stats.pending + stats.running === 0) return;
      if (synced.plan.changes.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`did not converge: ${JSON.stringify(await engine.store.queue.stats({ target: TARGET }))}`);
  }

  const values = (entry: Record<string, unknown>, name: string): string[] => {
    const raw = entry[name];
    return raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
  };

  /** The directory, the links and the audit log agree with HR: each person once, in exactly their groups; each change applied once. */
  async function expectExactlyOnce(): Promise<void> {
    // A fresh admin connection: the server may have restarted since the last one.
    await admin.unbind().catch(() => undefined);
    admin = await adminClient(slapd);
    const { searchEntries } = await admin.search(s(), { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'employeeNumber', 'entryUUID'] });
    const uids = searchEntries.map((e) => values(e, 'uid')[0] ?? '');
    expect(uids.length, 'no duplicate entries').toBe(new Set(uids).size);
    expect(uids.sort()).toEqual(hr.map((p) => p.employeeId).sort());
    const byUid = new Map(searchEntries.map((e) => [values(e, 'uid')[0] ?? '', e]));

    const members = async (group: string): Promise<string[]> => {
      const found = await admin.search(`cn=${group},ou=groups,${s()}`, { scope: 'base', attributes: ['member'] });
      return values(found.searchEntries[0] ?? {}, 'member').filter((dn) => dn.toLowerCase().includes('ou=people')).map((dn) => dn.toLowerCase()).sort();
    };
    const dnOf = (p: Person): string => `uid=${p.employeeId},ou=people,${s()}`.toLowerCase();
    expect(await members('all-staff')).toEqual(hr.map(dnOf).sort());
    expect(await members('engineering')).toEqual(hr.filter((p) => p.department === 'Engineering').map(dnOf).sort());

    const links = await engine.store.accounts.listByTarget(TARGET);
    expect(links).toHaveLength(hr.length);
    for (const link of links) {
      const entry = byUid.get(link.identityId);
      expect(link.accountId, link.identityId).toBe(values(entry ?? {}, 'entryUUID')[0]);
      const wanted = hr.find((p) => p.employeeId === link.identityId)?.department === 'Engineering' ? ['all-staff', 'engineering'] : ['all-staff'];
      expect([...link.entitlements].sort(), link.identityId).toEqual(wanted);
      expect(link.enabled).toBe(true);
    }

    const applied = await engine.store.audit.list({ kind: 'change.applied', limit: 100_000 });
    const keys = applied.map((e) => { const d = e.data as { planId: string; changeId: string }; return `${d.planId}:${d.changeId}`; });
    expect(keys.length, 'each change applied once').toBe(new Set(keys).size);
    // One create per person ever applied, one grant per membership.
    const creates = applied.filter((e) => (e.data as { action: string }).action === 'create').map((e) => e.identity);
    expect(creates.length, 'one create per person').toBe(new Set(creates).size);
    expect((await verifyAudit(engine.store)).ok).toBe(true);
    const stats = await engine.store.queue.stats({ target: TARGET });
    expect(stats.pending + stats.running).toBe(0);
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, serviceAccount: true, acl: ['to * by dn.exact="cn=roster,dc=example,dc=com" write by users read'] });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-dir-failures-'));
    writeFileSync(join(dir, 'roster.yaml'), yaml());
    process.env[PASSWORD_ENV] = 'secret';
    await open();
  });
  afterAll(() => tearDown({ engine, client: admin, server: slapd, dirs: [dir] }));

  it('slapd stopped (SIGTERM) mid-apply: retried, quarantined, said clearly; back on the same port, every change lands once', { timeout: 60_000 }, async () => {
    hr = people(0, 300);
    const { result, total } = await syncInterrupted(0.3, () => { process.kill(slapd.pid ?? 0, 'SIGTERM'); });
    expect(result).toBeDefined();
    // Nothing failed for good: the server being down is worth waiting out; what is left waits in the queue.
    expect(result?.failed).toBe(0);
    expect(result?.errors).toEqual([]);
    expect(result?.applied).toBeGreaterThan(0);
    expect(result?.applied).toBeLessThan(total);
    expect(result?.pending).toBe(total - (result?.applied ?? 0));
    // The apply says why they wait: the target is quarantined by its failures (no `by`), and how many of its changes wait.
    expect(result?.quarantined).toEqual([expect.objectContaining({ target: TARGET, pending: result?.pending, reason: expect.stringMatching(/cannot reach the directory/) })]);
    expect(result?.quarantined?.[0]?.by).toBeUndefined();

    const status = await collectStatus(engine);
    const target = status.targets.find((t) => t.id === TARGET);
    expect(target?.quarantined?.reason).toMatch(/^target\.unavailable: \w+ on corp-ldap: cannot reach the directory \(.*(ECONNREFUSED|ECONNRESET|closed)/i);
    const quarantined = await engine.store.audit.list({ kind: 'target.quarantined', limit: 10 });
    expect(quarantined).toHaveLength(1);
    expect((quarantined[0]?.data as { consecutiveFailures: number }).consecutiveFailures).toBe(QUARANTINE_AFTER);
    expect(warnings.some((w) => w.message === 'change failed; will retry')).toBe(true);

    const shown = await cli('status');
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/corp-ldap .*quarantined since \S+: target\.unavailable: .*cannot reach the directory/);

    await slapd.restart();
    warnings.length = 0;
    await converge();
    // The pool's connections the server closed are replaced: not one change failed on a stale one.
    expect(warnings).toEqual([]);
    await expectExactlyOnce();
  });

  it('slapd frozen (SIGSTOP) past timeoutMs mid-apply: operations time out instead of hanging, and adds that landed are adopted on retry', { timeout: 60_000 }, async () => {
    hr = people(0, 500);
    warnings.length = 0;
    const { result, ms } = await syncInterrupted(0.3, async () => {
      slapd.pause();
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 3));
      slapd.resume();
    });
    expect(result).toBeDefined();
    expect(ms, 'the apply ends: nothing waits on the frozen server for ever').toBeLessThan(30_000);
    expect(result?.failed).toBe(0);
    expect(result?.errors).toEqual([]);
    // Said as what it is: the server took the request and did not answer, not that it cannot be reached.
    const timeouts = warnings.map((w) => String(w.fields?.error ?? '')).filter((e) => /timed out|timeout/i.test(e));
    expect(timeouts.length, JSON.stringify(warnings.slice(0, 3))).toBeGreaterThan(0);
    for (const text of timeouts) expect(text).toMatch(/^target\.unavailable: \w+ on corp-ldap: the directory did not answer in time \(connection\.timeoutMs, connectTimeoutMs\)/);
    const timedOut = warnings.map((w) => String(w.fields?.jobId)).filter((id) => id.startsWith(result?.planId ?? '?'));
    warnings.length = 0;
    await converge();
    // Once it answers again, nothing fails on the connections that waited through the freeze.
    expect(warnings).toEqual([]);
    // The writes that timed out (adds and member adds queued in the frozen server, applied when it woke) ended done, each once.
    expect(timedOut.length).toBeGreaterThan(0);
    const jobs = new Map((await engine.store.queue.listByPlan(result?.planId ?? '')).map((j) => [j.id, j]));
    for (const id of timedOut) expect(jobs.get(id)?.status, id).toBe('done');
    await expectExactlyOnce();
  });

  it('a bind password changed under Roster: said plainly, the target quarantined at once, no change failed; fixed and released, nothing is lost', { timeout: 60_000 }, async () => {
    const roster = slapd.serviceDN ?? '';
    await admin.unbind().catch(() => undefined);
    admin = await adminClient(slapd);
    const setPassword = (password: string) => admin.modify(roster, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [password] }) }));
    await setPassword('rotated-elsewhere');
    hr = people(0, 560);
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    // What a person running `roster sync` sees: a process of its own, whose connections bind now, with the old password.
    const synced = await cli('sync', '--yes');
    expect(synced.code).toBe(1);
    // Review 14: a wrong bind password says the target is unusable, not the change: quarantined at the first such
    // error, and not one change failed for good (each waits, its attempt undone, for the release).
    expect(synced.stdout).toMatch(/^Plan \S+: 0 applied, 0 failed, \d+ pending$/m);
    expect(synced.stdout).toMatch(/^ {2}corp-ldap is in quarantine since \S+: .*the bind DN or password is wrong \(LDAP 49.*; \d+ changes? waits? for it: fix the cause, then roster quarantine release corp-ldap$/m);
    expect(synced.stdout.split('\n').filter((line) => /^ {2}corp-ldap:E\d+:/.test(line))).toEqual([]);
    expect(synced.stdout + synced.stderr).not.toContain('secret');
    const shown = await cli('status');
    expect(shown.stdout).toMatch(/corp-ldap .*quarantined since \S+: target\.unavailable: .*the bind DN or password is wrong/);
    const stats = await engine.store.queue.stats({ target: TARGET });
    expect(stats.failed).toBe(0);
    expect(stats.pending).toBeGreaterThan(0);
    expect(await engine.store.audit.list({ kind: 'change.failed', limit: 10 })).toEqual([]);

    await setPassword('secret');
    await open();
    await converge();
    await expectExactlyOnce();
  });
});
