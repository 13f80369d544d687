import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createConnector } from '../../src/connectors/registry.js';
import type { Connector, Logger } from '../../src/connectors/types.js';
import { RosterEngine } from '../../src/engine/engine.js';
import { newWorkerId } from '../../src/engine/index.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { openStore } from '../../src/store/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * In one `roster serve` process, the HR source's scheduled run applies
 * twenty joiners' creates while the target's scheduled reconcile runs: one
 * joiner's entry is in slapd but its link not yet in the store when the pass
 * reads (its create held there). With match rules the pass links it to its
 * person; without, it looks like an orphan and `orphans: disable` must still
 * leave it alone (the checks of docs/directories.md). No joiner disabled, no
 * second entry, and nothing left to plan.
 */
describe.each([true, false])('scheduled reconcile racing the source run in one process (match rules: %s, review20)', (rules) => {
  let slapd: RunningSlapd;
  let engine: RosterEngine;
  let dir: string;
  let admin: Client;
  const clock = { now: new Date('2026-11-27T03:00:00Z') };
  const said: string[] = [];
  const log: Logger = { debug() {}, info: (m) => void said.push(`info ${m}`), warn: (m, f) => void said.push(`warn ${m} ${JSON.stringify(f)}`), error: (m, f) => void said.push(`error ${m} ${JSON.stringify(f)}`) };
  const people = (n: number) => Array.from({ length: n }, (_, i) => person({ employeeId: `j${i}`, givenName: 'Joiner', familyName: `N${i}` }));
  let pauseAfterCreate: { uid: string; created: () => void; gate: Promise<void> } | undefined;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-race-'));
    writeFileSync(join(dir, 'employees.csv'), csv(people(1)));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }',
      orphans: 'disable',
    }).replace('      orphans: disable\n', '      orphans: disable\n      schedule: "0 3 * * *"\n');
    writeFileSync(join(dir, 'roster.yaml'), rules ? yaml : yaml.replace(/      match:\n(        - .*\n)+/, ''));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    const config = await loadConfig(join(dir, 'roster.yaml'), { env: process.env });
    const store = await openStore(config.store, { baseDir: config.baseDir });
    const target = config.targets[0]!;
    const inner = createConnector(target, { targetId: target.id, baseDir: config.baseDir, log, attributes: Object.keys(target.attributes), timezone: 'UTC' });
    // The create of one joiner stops after its entry is in the directory, before its link is written.
    const connector = new Proxy(inner, {
      get(t, name, receiver) {
        if (name !== 'create') {
          const value = Reflect.get(t, name, receiver) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
        }
        return async (spec: Parameters<Connector['create']>[0]) => {
          const made = await t.create(spec);
          const pause = pauseAfterCreate;
          if (pause !== undefined && spec.attributes['uid'] === pause.uid) {
            pause.created();
            await pause.gate;
          }
          return made;
        };
      },
    });
    engine = new RosterEngine({ config, store, connectors: new Map([[target.id, connector]]), log, metrics: { changesApplied() {}, changesFailed() {}, cycleDuration() {} }, now: () => clock.now, workerId: newWorkerId() });
    await engine.readSource('hr', 'test');
    await new Scheduler(engine, log, () => clock.now).runReconcile('corp-ldap');
  });
  afterAll(async () => {
    await tearDown({ engine, client: admin, server: slapd, dirs: [dir] });
  });

  it('a joiner whose create has not linked yet when the pass reads is not disabled', async () => {
    writeFileSync(join(dir, 'employees.csv'), csv(people(20)));
    let created!: () => void;
    const inDirectory = new Promise<void>((resolve) => (created = resolve));
    let release!: () => void;
    pauseAfterCreate = { uid: 'j7', created, gate: new Promise<void>((resolve) => (release = resolve)) };
    clock.now = new Date('2026-11-28T03:00:00Z');
    const scheduler = new Scheduler(engine, log, () => clock.now);
    const sourceRun = scheduler.runSource(engine.config.sources[0]!);
    await inDirectory;
    const reconcileRun = scheduler.runReconcile('corp-ldap', { scheduled: true });
    // Let the pass read, plan and apply its orphan action while j7's create waits.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !(await engine.store.audit.list({ kind: 'target.reconciled', limit: 100 })).some((e) => e.at > '2026-11-28')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([sourceRun, reconcileRun]);
    const { searchEntries } = await admin.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    const audit = (await engine.store.audit.list({ limit: 5000 })).filter((e) => e.at > '2026-11-28');
    expect(said.filter((m) => !m.startsWith('info'))).toEqual([]);
    if (rules) {
      // j7 and any other joiner created but not linked yet when the pass read: linked to their own person.
      const linked = audit.filter((e) => e.kind === 'account.linked').map((e) => e.identity);
      expect(linked).toContain('j7');
      expect(audit.filter((e) => e.kind === 'account.disputed')).toEqual([]);
    } else {
      // j7's create still running when the disable came; any other joiner created but not linked when the pass planned, linked by the apply.
      const skipped = audit.filter((e) => e.kind === 'change.skipped');
      expect(skipped.map((e) => e.reasons?.at(-1))).toContain('reconcile.create_under_way');
      expect(skipped.every((e) => ['reconcile.create_under_way', 'reconcile.orphan_linked'].includes(e.reasons?.at(-1) ?? ''))).toBe(true);
      expect(audit.filter((e) => e.kind === 'change.applied' && (e.data as { action?: string }).action === 'disable')).toEqual([]);
    }
    expect(searchEntries.filter((e) => e.dn.includes('ou=disabled'))).toEqual([]);
    expect(searchEntries).toHaveLength(20);
    expect((await engine.plan()).changes).toEqual([]);
  });
});
