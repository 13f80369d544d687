import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { silentLogger } from '../../src/core/log.js';
import { openEngine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * crash.test.ts against a directory: `roster sync` (the engine, in a child
 * process) applying joiner, mover and leaver plans into a private slapd
 * (groupOfNames birthright groups, posixAccount with uidNumber allocation,
 * one OU per department, leavers moved to ou=disabled then deleted) is
 * killed with SIGKILL part way, and run again to completion. A directory
 * write is not in the store's transaction: a kill lands between an entry
 * added (moved, put in a group, deleted) and its job, link and audit entry
 * committed. After each step the directory itself is checked: one entry per
 * person, where it belongs, its uidNumber its own, exactly the groups its
 * roles give; every link names its entry by entryUUID; every job done once;
 * the audit chain verifies; a fresh plan is empty.
 */
const worker = join(import.meta.dirname, 'crash-ldap-worker.ts');
const DAY = 86_400_000;
const PEOPLE = 150;
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'People', 'Operations'] as const;
const DEPARTMENT_GROUPS: Record<string, readonly string[]> = {
  Engineering: ['engineering', 'git-users'], Sales: ['crm-users', 'sales'], Finance: ['finance'], People: ['people-team'], Operations: ['operations', 'vpn-admins'],
};
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** A family name of letters only (the uid mapping keeps ASCII letters): Ka, Kb, ..., unique per i. */
const family = (i: number): string => `K${LETTERS[Math.floor(i / 26) % 26]}${LETTERS[i % 26]}${i >= 676 ? LETTERS[Math.floor(i / 676)] : ''}`;

/** A person as HR has them, `uid` the account key once linked (a unique() pick is kept when the name changes), `gone` once deleted. */
interface Modelled extends Person { gone: boolean; uid?: string }

describe('crash (kill -9) mid-apply into OpenLDAP (review 14)', () => {
  let slapd: RunningSlapd;
  let reader: Client;
  let dir: string;
  /** The workers' clock runs this far ahead of the wall clock; it only grows. */
  let offset = 0;
  const children: ChildProcess[] = [];
  let hr: Modelled[] = [];
  const s = () => slapd.suffix;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-crash-ldap-'));
    writeFileSync(join(dir, 'roster.yaml'), projectYaml(slapd));
    hr = Array.from({ length: PEOPLE }, (_, i) => ({
      ...person({
        employeeId: `E${String(i).padStart(4, '0')}`, givenName: ['Ada', 'Ben', 'Cy', 'Dee', 'Eli'][i % 5] as string, familyName: family(i),
        department: DEPARTMENTS[i % DEPARTMENTS.length] as string, title: i % 10 === 3 ? 'Engineering Manager' : 'Engineer',
      }),
      gone: false,
    }));
    writeHr();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await tearDown({ client: reader, server: slapd, dirs: [dir] });
  });

  const writeHr = () => writeFileSync(join(dir, 'employees.csv'), csv(hr.map(({ gone: _, uid: __, ...p }) => p)));
  const today = () => new Date(Date.now() + offset).toISOString().slice(0, 10);

  function start(): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
    // Past the killed run's leases (60 s) and any retry's backoff.
    offset += 5 * 60_000;
    const child = spawn(process.execPath, ['--import', 'tsx', worker, join(dir, 'roster.yaml'), String(offset)], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROSTER_E2E_LDAP_PASSWORD: slapd.password },
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, output: () => output };
  }

  const applied = (output: string): number => Number([...output.matchAll(/^applied (\d+)$/gm)].at(-1)?.[1] ?? 0);

  /** A sync killed once it applied `threshold` changes (committed: more may be written in the directory already). */
  async function killedSync(threshold: number): Promise<void> {
    const run = start();
    let ended: number | null | undefined;
    void run.exited.then((code) => (ended = code));
    for (;;) {
      if (applied(run.output()) >= threshold) {
        run.child.kill('SIGKILL');
        await run.exited;
        return;
      }
      if (ended !== undefined) throw new Error(`the worker ended before it could be killed (code ${ended}): ${run.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async function completedSync(): Promise<string> {
    const run = start();
    expect(await run.exited, run.output()).toBe(0);
    return run.output();
  }

  // ------------------------------------------------------------ what the directory and the store hold

  interface Entry { dn: string; uuid: string; uid: string; employeeNumber: string | undefined; uidNumber: string | undefined }

  async function entries(): Promise<Entry[]> {
    const { searchEntries } = await reader.search(s(), { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'employeeNumber', 'uidNumber', 'entryUUID'] });
    return searchEntries.map((e) => ({
      dn: e.dn, uuid: String(e.entryUUID), uid: String(e.uid),
      employeeNumber: e.employeeNumber === undefined ? undefined : String(e.employeeNumber),
      uidNumber: e.uidNumber === undefined ? undefined : String(e.uidNumber),
    }));
  }

  /** Group cn -> member DNs (lower-cased, sorted), without the placeholder. */
  async function memberships(): Promise<Map<string, string[]>> {
    const { searchEntries } = await reader.search(`ou=groups,${s()}`, { scope: 'one', filter: '(objectClass=groupOfNames)', attributes: ['cn', 'member'] });
    const out = new Map<string, string[]>();
    for (const group of searchEntries) {
      const members = (Array.isArray(group.member) ? group.member : [group.member]).map((m) => String(m).toLowerCase()).filter((m) => m !== `cn=placeholder,${s()}`);
      if (members.length > 0) out.set(String(group.cn), members.sort());
    }
    return out;
  }

  const uidOf = (p: Modelled) => p.uid ?? `${p.givenName}.${p.familyName}`.toLowerCase();
  const groupsOf = (p: Modelled): string[] => (p.status !== 'active' || p.gone ? [] : ['all-staff', ...(DEPARTMENT_GROUPS[p.department] ?? []), ...(p.title.includes('Manager') ? ['managers'] : [])].sort());
  const dnOf = (p: Modelled): string => (p.status === 'active' ? `uid=${uidOf(p)},ou=${p.department},ou=people,${s()}` : `uid=${uidOf(p)},ou=disabled,${s()}`).toLowerCase();

  /** The engine on the project, in this process, on the workers' clock (no worker runs meanwhile). */
  const checkingEngine = () => openEngine(join(dir, 'roster.yaml'), { now: () => new Date(Date.now() + offset), log: silentLogger, env: { ...process.env, ROSTER_E2E_LDAP_PASSWORD: slapd.password } });

  /** The directory, the store and a fresh plan against what HR says. */
  async function expectConsistent(): Promise<void> {
    const found = await entries();
    // One entry per person still there, none for anyone else, each where it belongs.
    const byPerson = new Map<string, Entry[]>();
    for (const entry of found) byPerson.set(entry.employeeNumber ?? `(none) ${entry.dn}`, [...byPerson.get(entry.employeeNumber ?? `(none) ${entry.dn}`) ?? [], entry]);
    const duplicated = [...byPerson].filter(([, list]) => list.length > 1).map(([id, list]) => `${id}: ${list.map((e) => e.dn).join(' | ')}`);
    expect(duplicated, 'people with more than one entry').toEqual([]);
    const present = hr.filter((p) => !p.gone);
    expect([...byPerson.keys()].sort(), 'people with an entry').toEqual(present.map((p) => p.employeeId).sort());
    const placed = present.map((p) => [p.employeeId, byPerson.get(p.employeeId)?.[0]?.dn.toLowerCase()]);
    expect(placed).toEqual(present.map((p) => [p.employeeId, dnOf(p)]));
    // uidNumbers: every entry has one, no two the same.
    const numbers = found.map((e) => e.uidNumber);
    expect(numbers.filter((n) => n === undefined)).toEqual([]);
    expect(new Set(numbers).size, 'distinct uidNumbers').toBe(found.length);
    // Group members: exactly what the roles give, by DN.
    const wanted = new Map<string, string[]>();
    for (const p of present) for (const group of groupsOf(p)) wanted.set(group, [...wanted.get(group) ?? [], dnOf(p)]);
    for (const list of wanted.values()) list.sort();
    expect(Object.fromEntries([...await memberships()].sort())).toEqual(Object.fromEntries([...wanted].sort()));

    const engine = await checkingEngine();
    try {
      const store = engine.store;
      // Every link names its person's entry by entryUUID, with the groups and state it has.
      const links = await store.accounts.listByTarget('corp-ldap');
      const uuidOf = new Map(present.map((p) => [p.employeeId, byPerson.get(p.employeeId)?.[0]?.uuid]));
      expect(links.map((l) => [l.identityId, l.accountId]).sort()).toEqual(present.map((p) => [p.employeeId, uuidOf.get(p.employeeId)]).sort());
      for (const link of links) {
        const p = present.find((q) => q.employeeId === link.identityId)!;
        expect([link.identityId, [...link.entitlements].sort(), link.enabled, link.attributes.uid]).toEqual([p.employeeId, groupsOf(p), p.status === 'active', uidOf(p)]);
      }
      // Nothing lost, nothing left waiting, nothing applied twice.
      const jobs = await store.queue.stats({});
      expect({ pending: jobs.pending, running: jobs.running, failed: jobs.failed }).toEqual({ pending: 0, running: 0, failed: 0 });
      const done = await store.audit.list({ kind: 'change.applied', limit: 1_000_000 });
      const keys = done.map((e) => { const data = e.data as { planId: string; changeId: string }; return `${data.planId} ${data.changeId}`; });
      expect(keys.length - new Set(keys).size, 'changes applied twice').toBe(0);
      expect(keys.length).toBe(jobs.done);
      expect(await verifyAudit(store)).toMatchObject({ ok: true });
      const plan = await engine.plan({ actor: 'check' });
      expect(plan.changes.map((c) => c.id)).toEqual([]);
    } finally {
      await engine.close();
    }
  }

  it('joiners: killed early, middle and late; some renamed in HR while their create is unfinished (or written and not committed)', { timeout: 90_000 }, async () => {
    await killedSync(40);
    // People whose create is unfinished (the entry may be in the directory already, unlinked) change name: their uid changes.
    const inDirectory = new Set((await entries()).map((e) => e.employeeNumber));
    const renamed = hr.filter((p) => !inDirectory.has(p.employeeId)).slice(0, 2);
    const unlinked = await unlinkedEntries();
    const renamedIds = new Set([...unlinked.slice(0, 2), ...renamed.map((p) => p.employeeId)]);
    const uids = new Map(hr.filter((p) => renamedIds.has(p.employeeId)).map((p) => [p.employeeId, [uidOf(p), uidOf({ ...p, familyName: `${p.familyName}x` })]]));
    hr = hr.map((p) => (renamedIds.has(p.employeeId) ? { ...p, familyName: `${p.familyName}x` } : p));
    writeHr();
    await killedSync(150);
    await killedSync(250);
    await completedSync();
    // Either name may stick: the new one, or the one a plan made once the first create was linked (unique() keeps a linked value).
    const found = new Map((await entries()).map((e) => [e.employeeNumber, e.uid]));
    for (const [id, names] of uids) expect(names, id).toContain(found.get(id));
    hr = hr.map((p) => ({ ...p, uid: uids.has(p.employeeId) ? found.get(p.employeeId) : uidOf(p) }));
    await expectConsistent();
  });

  it('movers: killed part way through moves to another OU and their group changes; some moved again before the rerun', { timeout: 60_000 }, async () => {
    const next = (department: string) => DEPARTMENTS[(DEPARTMENTS.indexOf(department as typeof DEPARTMENTS[number]) + 1) % DEPARTMENTS.length] as string;
    hr = hr.map((p, i) => (i % 3 === 0 ? { ...p, department: next(p.department), ...(i % 21 === 0 ? { familyName: `${p.familyName}m` } : {}) } : p));
    writeHr();
    await killedSync(60);
    const moved = await movedUnrecorded();
    // Movers whose move is unfinished (or done and not recorded) move again before the run that finishes it.
    const again = new Set([...moved.slice(0, 2), ...hr.filter((p, i) => i % 3 === 0).slice(-2).map((p) => p.employeeId)]);
    hr = hr.map((p) => (again.has(p.employeeId) ? { ...p, department: next(p.department) } : p));
    writeHr();
    await completedSync();
    await expectConsistent();
  });

  it('leavers: killed part way through revokes and disables (moves to ou=disabled), some rehired before the rerun; then killed part way through the deletes after the grace', { timeout: 60_000 }, async () => {
    const leaving = new Set(hr.filter((_, i) => i % 5 === 1).map((p) => p.employeeId));
    const yesterday = new Date(Date.now() + offset + 5 * 60_000 - DAY).toISOString().slice(0, 10);
    hr = hr.map((p) => (leaving.has(p.employeeId) ? { ...p, status: 'terminated', endDate: yesterday } : p));
    writeHr();
    await killedSync(40);
    // Leavers whose disable is unfinished (or moved to ou=disabled and not recorded) are rehired before the run that finishes it.
    const rehired = new Set([...(await movedUnrecorded()).slice(0, 2), ...[...leaving].slice(-2)]);
    hr = hr.map((p) => (rehired.has(p.employeeId) ? { ...p, status: 'active', endDate: '' } : p));
    writeHr();
    await completedSync();
    await expectConsistent();
    // After the delete grace (30 days): the entries go.
    offset += 31 * DAY;
    hr = hr.map((p) => (leaving.has(p.employeeId) && !rehired.has(p.employeeId) ? { ...p, gone: true } : p));
    await killedSync(Math.floor((leaving.size - rehired.size) / 2));
    await completedSync();
    await expectConsistent();
  });

  /** People whose entry is not where their link says (moved, not committed). */
  async function movedUnrecorded(): Promise<string[]> {
    const engine = await checkingEngine();
    try {
      const links = new Map((await engine.store.accounts.listByTarget('corp-ldap')).map((l) => [l.accountId, l]));
      return (await entries()).filter((e) => {
        const link = links.get(e.uuid);
        return link !== undefined && (link.attributes.uid !== e.uid || !e.dn.toLowerCase().includes(`ou=${String(link.attributes.department).toLowerCase()},`) === link.enabled);
      }).map((e) => e.employeeNumber ?? e.dn);
    } finally {
      await engine.close();
    }
  }

  /** Employee numbers of entries in the directory that no link names (written, not committed). */
  async function unlinkedEntries(): Promise<string[]> {
    const engine = await checkingEngine();
    try {
      const links = new Set((await engine.store.accounts.listByTarget('corp-ldap')).map((l) => l.accountId));
      return (await entries()).filter((e) => !links.has(e.uuid)).map((e) => e.employeeNumber ?? e.dn);
    } finally {
      await engine.close();
    }
  }
});

function projectYaml(slapd: RunningSlapd): string {
  const s = slapd.suffix;
  const roles = [
    `{ id: staff, when: "true", grants: { corp-ldap: [all-staff] } }`,
    ...Object.entries(DEPARTMENT_GROUPS).map(([department, groups]) => `{ id: ${department.toLowerCase()}, when: 'identity.department == "${department}"', grants: { corp-ldap: [${groups.join(', ')}] } }`),
    `{ id: managers, when: 'identity.title.contains("Manager")', grants: { corp-ldap: [managers] } }`,
  ];
  return `store: sqlite:./data/roster.db
lifecycle: { timezone: UTC }
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:ROSTER_E2E_LDAP_PASSWORD}
      poolSize: 4
      users:
        base: "ou=people,${s}"
        dn: "uid={uid},ou={department},ou=people,${s}"
        createOUs: true
        key: uid
        attributes: { email: mail, department: ou, cn: cn, sn: sn, givenName: givenName, employeeNumber: employeeNumber }
        posix: { uidNumber: { min: 20000, max: 29999 }, gidNumber: 100 }
      groups: { base: "ou=groups,${s}", objectClass: groupOfNames, names: true, create: true, placeholder: "cn=placeholder,${s}" }
      disable: { strategy: move, ou: "ou=disabled,${s}" }
    accountKey: uid
    attributes:
      uid: unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii(), identity.givenName.lowerAscii().substring(0, 1) + identity.familyName.lowerAscii()])
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
      givenName: identity.givenName
      email: identity.email
      department: identity.department
      employeeNumber: identity.employeeId
    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { concurrency: 8, maxAttempts: 50, backoffBaseMs: 10, backoffMaxMs: 100 }
roles:
${roles.map((role) => `  - ${role}`).join('\n')}
`;
}
