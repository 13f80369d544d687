import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RosterError } from '../../src/core/errors.js';
import type { Person } from '../../src/demo/index.js';
import type { DirectoryServer } from './ldap-config.js';

/**
 * The directory-source benchmark's world: N people as inetOrgPerson entries
 * (uid=u<i>, every one with an employeeNumber, a manager DN for everyone but
 * the CEO), the changes the bench makes between passes (LDIF for
 * ldapmodify), and the roster.yaml with that directory as the source.
 */
export interface SourceWorld {
  /** One LDIF entry per person (no trailing blank line). */
  readonly entries: readonly string[];
  /** Two disjoint sets of people (1 % each, at least one) whose departmentNumber is changed, one set before each incremental pass. */
  readonly moved: readonly [readonly number[], readonly number[]];
  /**
   * Per set of `moved`: how many people outside it have their manager in it. An `ldap` source's
   * incremental pass by modifyTimestamp read those reports again before its cursor kept entryUUID ->
   * key; now it reads again only the reports of a mover whose key changed (src/sources/directory/
   * reports.ts), and the movers keep theirs: none are read again.
   */
  readonly reportsOfMoved: readonly [number, number];
  /** People (1 %, at least one, none of them anyone's manager nor moved) whose entries are deleted before the last full pass. */
  readonly deleted: readonly number[];
}

const uidOf = (index: number): string => `u${index}`;
const dnOf = (peopleDn: string, index: number): string => `uid=${uidOf(index)},${peopleDn}`;

/** LDIF: a value that is not plain printable ASCII (accented names) goes base64. */
function line(name: string, value: string): string {
  return /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ')
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** `count` indexes spread evenly over `candidates` (deterministic). */
function spread(candidates: readonly number[], count: number): number[] {
  const step = candidates.length / count;
  return Array.from({ length: count }, (_, k) => candidates[Math.floor(k * step)]!);
}

export function sourceWorld(people: readonly Person[], peopleDn: string): SourceWorld {
  const indexById = new Map(people.map((p, i) => [p.employeeId, i]));
  const managers = new Set(people.map((p) => p.managerId).filter((id) => id !== ''));
  const entries = people.map((p, i) => {
    const manager = p.managerId === '' ? undefined : indexById.get(p.managerId);
    return [
      line('dn', dnOf(peopleDn, i)), 'objectClass: inetOrgPerson', line('uid', uidOf(i)),
      line('cn', `${p.givenName} ${p.familyName}`), line('sn', p.familyName), line('givenName', p.givenName),
      line('displayName', `${p.givenName} ${p.familyName}`), line('mail', p.email), line('title', p.title),
      line('departmentNumber', p.department), line('employeeNumber', p.employeeId),
      ...(manager === undefined ? [] : [line('manager', dnOf(peopleDn, manager))]),
    ].join('\n');
  });
  const share = Math.max(1, Math.round(people.length / 100));
  const all = people.map((_, i) => i);
  // Disjoint sets: the movers of each round by residue, the deleted among people who manage nobody and were not moved.
  const first = spread(all.filter((i) => i % 3 === 1), share);
  const second = spread(all.filter((i) => i % 3 === 2), share);
  const deleted = spread(all.filter((i) => i % 3 === 0 && !managers.has(people[i]!.employeeId)), share);
  const reportsOf = (movers: readonly number[]): number => {
    const moved = new Set(movers);
    const ids = new Set(movers.map((i) => people[i]!.employeeId));
    return people.filter((p, i) => !moved.has(i) && ids.has(p.managerId)).length;
  };
  return { entries, moved: [first, second], reportsOfMoved: [reportsOf(first), reportsOf(second)], deleted };
}

/** The department a moved person gets in round `round` (never a generated one). */
export function movedDepartment(round: number): string {
  return `Relocated ${round}`;
}

/** LDIF for ldapmodify: replace the departmentNumber of each person. */
export function moveLdif(peopleDn: string, indexes: readonly number[], round: number): string {
  return indexes.map((i) => `${line('dn', dnOf(peopleDn, i))}\nchangetype: modify\nreplace: departmentNumber\n${line('departmentNumber', movedDepartment(round))}\n-`).join('\n\n');
}

/** LDIF for ldapmodify: delete each person's entry. */
export function deleteLdif(peopleDn: string, indexes: readonly number[]): string {
  return indexes.map((i) => `${line('dn', dnOf(peopleDn, i))}\nchangetype: delete`).join('\n\n');
}

/** Run ldapmodify (one connection) over an LDIF text; resolves once every change is done. */
export function ldapModify(server: DirectoryServer, dir: string, name: string, ldif: string): Promise<void> {
  const file = join(dir, `${name}.ldif`);
  writeFileSync(file, `${ldif}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('ldapmodify', ['-x', '-H', server.url, '-D', server.bindDN, '-w', server.password, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new RosterError('internal', `ldapmodify ${file} failed (${code}): ${stderr.slice(0, 500)}`))));
  });
}

/**
 * roster.yaml (as plain data): the directory as an `ldap` source keyed by
 * employeeNumber, attributes mapped as in the OpenLDAP tests
 * (test/e2e/directory-source-ldap.test.ts) plus title and the DN, the
 * manager's DN resolved to their key; a memory target so the configuration
 * is a whole one (a plan could run on it).
 */
export function sourceConfig(server: DirectoryServer, pageSize: number): Record<string, unknown> {
  return {
    store: 'sqlite:./roster.db',
    server: { host: '127.0.0.1', port: 0 },
    lifecycle: { prehireLeadDays: 7, timezone: 'UTC' },
    sources: [{
      id: 'corp', type: 'ldap', key: 'employeeNumber', maxMissing: '20%',
      connection: {
        url: server.url, bindDN: server.bindDN, password: '${env:ROSTER_BENCH_LDAP_PASSWORD}',
        base: server.peopleDn, filter: '(objectClass=inetOrgPerson)', pageSize,
      },
      attributes: { givenName: 'givenName', familyName: 'sn', email: 'mail', department: 'departmentNumber', title: 'title', managerId: 'manager' },
    }],
    targets: [{
      id: 'app', type: 'memory', accountKey: 'username', connection: { key: 'username' }, scope: 'true',
      attributes: { username: 'identity.employeeNumber', email: 'identity.email', department: 'identity.department' },
    }],
    roles: [],
  };
}
