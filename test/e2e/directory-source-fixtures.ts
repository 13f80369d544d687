/**
 * An `ldap` source over a private slapd, read into an engine of its own
 * (SQLite, a memory target `app`): the e2e tests of the ldap source build
 * their people and passes on it. What a test is about (the key, the schedule
 * or syncrepl, maxMissing, paging, the filter, the attributes) it passes in,
 * so it stays in view in the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { useSlapd } from '../support/slapd-fixture.js';
import type { RunningSlapd, SlapdOptions } from '../support/slapd.js';

export interface LdapSourceYaml {
  readonly id: string;
  readonly base: string;
  /** `key`; default employeeNumber. */
  readonly key?: string;
  /** `schedule` (a cron expression), for a source read in passes. */
  readonly schedule?: string;
  /** `changes` (e.g. syncrepl). */
  readonly changes?: string;
  readonly maxMissing?: string;
  /** `connection.bindDN` as written; default the slapd's rootDN. */
  readonly bindDN?: string;
  readonly pageSize?: number;
  /** `connection.filter`, written in single quotes. */
  readonly filter?: string;
  /** `attributes` as a YAML flow mapping. */
  readonly attributes: string;
}

/** One item under `sources:`; the password is ${env:LDAP_PASSWORD}. */
export function ldapSourceYaml(slapd: RunningSlapd, source: LdapSourceYaml): string {
  return [
    `  - id: ${source.id}`,
    '    type: ldap',
    `    key: ${source.key ?? 'employeeNumber'}`,
    ...(source.schedule === undefined ? [] : [`    schedule: "${source.schedule}"`]),
    ...(source.changes === undefined ? [] : [`    changes: ${source.changes}`]),
    ...(source.maxMissing === undefined ? [] : [`    maxMissing: ${source.maxMissing}`]),
    '    connection:',
    `      url: ${slapd.url}`,
    `      bindDN: ${source.bindDN ?? slapd.bindDN}`,
    '      password: ${env:LDAP_PASSWORD}',
    `      base: ${source.base}`,
    ...(source.pageSize === undefined ? [] : [`      pageSize: ${source.pageSize}`]),
    ...(source.filter === undefined ? [] : [`      filter: '${source.filter}'`]),
    `    attributes: ${source.attributes}`,
  ].join('\n');
}

export interface AppTarget {
  /** The memory target's `attributes` as a YAML flow mapping (accountKey is username). */
  readonly attributes: string;
  /** Further target keys, e.g. `safety: { ... }`. */
  readonly lines?: readonly string[];
}

/** roster.yaml: a SQLite store, these ldap sources, and the memory target `app`. */
export function sourceProjectYaml(slapd: RunningSlapd, sources: readonly LdapSourceYaml[], app: AppTarget): string {
  return [
    'store: sqlite:./roster.db',
    'sources:',
    ...sources.map((source) => ldapSourceYaml(slapd, source)),
    'targets:',
    '  - id: app',
    '    type: memory',
    '    accountKey: username',
    `    attributes: ${app.attributes}`,
    ...(app.lines ?? []).map((line) => `    ${line}`),
    '',
  ].join('\n');
}

export interface LdapSourceProject {
  /** How the slapd is started (random port always). */
  readonly slapd?: Omit<SlapdOptions, 'randomPort'>;
  /** The temp directory's name prefix. */
  readonly prefix: string;
  /** OUs added under the suffix before `seed`. */
  readonly ous?: readonly string[];
  /** What else the directory holds before the engine opens. */
  seed?(admin: Client, slapd: RunningSlapd): Promise<void>;
  sources(slapd: RunningSlapd): readonly LdapSourceYaml[];
  readonly app: AppTarget;
  /** Environment beside LDAP_PASSWORD (the slapd's password). */
  env?(slapd: RunningSlapd): Record<string, string>;
  readonly log?: Logger;
}

/** The slapd, its admin client, and the engine reading it; valid once the file's beforeAll has run. */
export interface LdapSourceFixture {
  readonly slapd: RunningSlapd;
  readonly admin: Client;
  readonly engine: RosterEngine;
  readonly dir: string;
}

/** Start a slapd, seed it, and open an engine on `project` before the file's tests; close and remove it all after them. */
export function useLdapSource(project: LdapSourceProject): LdapSourceFixture {
  const fixture = useSlapd(project.slapd);
  let engine: RosterEngine | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    const { slapd, admin } = fixture;
    for (const name of project.ous ?? []) await admin.add(`ou=${name},${slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: name });
    await project.seed?.(admin, slapd);
    dir = mkdtempSync(join(tmpdir(), project.prefix));
    writeFileSync(join(dir, 'roster.yaml'), sourceProjectYaml(slapd, project.sources(slapd), project.app));
    const env = { LDAP_PASSWORD: slapd.password, ...project.env?.(slapd) };
    engine = await openEngine(join(dir, 'roster.yaml'), { env, log: project.log ?? silentLogger }) as RosterEngine;
  });
  afterAll(async () => {
    await engine?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the ldap source fixture is used before its beforeAll ran');
    return value;
  };
  return {
    get slapd() {
      return fixture.slapd;
    },
    get admin() {
      return fixture.admin;
    },
    get engine() {
      return opened(engine);
    },
    get dir() {
      return opened(dir);
    },
  };
}

/** An inetOrgPerson `uid` (cn the uid, sn "Surname <uid>", givenName "Given <uid>"), with employeeNumber when given, and `extra`. */
export function inetOrgPerson(uid: string, employeeNumber: string | undefined, extra: Record<string, string | string[]> = {}) {
  return {
    objectClass: ['inetOrgPerson'], uid, cn: uid, sn: `Surname ${uid}`, givenName: `Given ${uid}`,
    ...(employeeNumber === undefined ? {} : { employeeNumber }), ...extra,
  };
}

export const change = (operation: 'replace' | 'add', type: string, values: string[]): Change =>
  new Change({ operation, modification: new Attribute({ type, values }) });

/** Resolves just after the wall clock (slapd runs on this host) enters a new second. */
export async function nextSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 50));
}

/** Runs `roster <args> --config <the fixture's roster.yaml>` in-process, with the slapd's password in the environment. */
export function rosterCli(world: LdapSourceFixture): (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }> {
  return async (...args) => {
    const captured = capturedIo({
      cwd: world.dir,
      openEngine: async (configPath, options) => openEngine(configPath, { ...options, env: { LDAP_PASSWORD: world.slapd.password } }),
    });
    const code = await runCli(['node', 'roster', ...args, '--config', join(world.dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
}
