/**
 * roster.yaml for the directory end-to-end tests, written once: a SQLite
 * store, the HR CSV source (./employees.csv) and one directory target whose
 * connection is the test server's (Samba's CA is read from ./ca.pem, the
 * password from ROSTER_E2E_AD_PASSWORD / ROSTER_E2E_LDAP_PASSWORD). What a
 * test is about (the DN layout, the attributes, leaver, safety and reconcile
 * policy, further roles) it passes in, so it stays in view in the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, EqualityFilter, OrFilter } from 'ldapts';
import type { Engine } from '../../src/engine/index.js';
import { reconcileYaml } from '../../src/reconcile/test-project.js';
import type { RunningSamba } from '../support/samba.js';
import type { RunningSlapd } from '../support/slapd.js';

/** A free "given.family" name, as most tests derive the account key. */
export const UNIQUE_GIVEN_DOT_FAMILY = 'unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])';
export const FULL_NAME = 'identity.givenName + " " + identity.familyName';

/** Small backoffs, so a retry costs a test little time. */
const EXECUTOR = '{ concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }';

export interface TargetPolicy {
  /** Adds `lifecycle: { prehireLeadDays: 7, timezone: UTC }`, for tests that move people through dates. */
  readonly lifecycle?: boolean;
  /** The account attributes, name to CEL as YAML reads it, in this order. */
  readonly attributes: Readonly<Record<string, string>>;
  /** `leaver` as a YAML flow mapping; absent, the default. */
  readonly leaver?: string;
  /** `safety` as a YAML flow mapping. */
  readonly safety: string;
  /** `executor` as a YAML flow mapping; default 4 at a time, 3 attempts, 10–50 ms backoff. */
  readonly executor?: string;
  /** With it, a `reconcile` block: match on the directory's employee id, then email; this orphan action. */
  readonly orphans?: string;
  /** Roles after `staff` (everyone gets the all-staff group), as YAML flow mappings. */
  readonly roles?: readonly string[];
}

export interface AdProject extends TargetPolicy {
  /** `connection.base`, where Roster reads users; default the Roster OU. */
  readonly base?: string;
  /** The DN template of a new user. */
  readonly usersDn: string;
  /** Create a missing OU in usersDn. */
  readonly createOUs?: boolean;
}

export interface LdapProject extends TargetPolicy {
  /** The DN template of a new entry (users.base is always ou=people). */
  readonly usersDn: string;
  readonly createOUs?: boolean;
  /** users.attributes: Roster attribute name to LDAP attribute. */
  readonly userAttributes: Readonly<Record<string, string>>;
  /** Give new groups a placeholder member (for a groupOfNames that must not be empty). */
  readonly placeholder?: boolean;
  /** `connection.disable` as a YAML flow mapping; default a move to ou=disabled. */
  readonly disable?: string;
}

interface DirectoryTarget {
  readonly id: string;
  readonly type: string;
  /** The connection keys, each line indented under `connection:`. */
  readonly connection: readonly string[];
  readonly accountKey: string;
  /** The account attribute that holds the HR employee id, for the reconcile match. */
  readonly employeeIdAttribute: string;
  /** The group every person gets. */
  readonly allStaff: string;
}

/** A Samba AD DC target `corp-ad`, keyed by sAMAccountName, All Staff for everyone. */
export function adProjectYaml(samba: RunningSamba, project: AdProject): string {
  return rosterYaml({
    id: 'corp-ad', type: 'ad', accountKey: 'sAMAccountName', employeeIdAttribute: 'employeeID', allStaff: 'All Staff',
    connection: [
      `url: ${samba.url}`,
      'tls: { ca: ./ca.pem }',
      `bindDN: "${samba.bindDN}"`,
      'password: ${env:ROSTER_E2E_AD_PASSWORD}',
      `base: "${project.base ?? samba.rosterOU}"`,
      `users: { dn: "${project.usersDn}", upnSuffix: example.test${project.createOUs === true ? ', createOUs: true' : ''} }`,
      `groups: { base: "OU=Groups,${samba.rosterOU}", names: true, create: true }`,
    ],
  }, project);
}

/** An OpenLDAP target `corp-ldap`, keyed by uid, users below ou=people, all-staff for everyone. */
export function ldapProjectYaml(slapd: RunningSlapd, project: LdapProject): string {
  const s = slapd.suffix;
  const mapping = Object.entries(project.userAttributes).map(([name, ldap]) => `${name}: ${ldap}`).join(', ');
  return rosterYaml({
    id: 'corp-ldap', type: 'ldap', accountKey: 'uid', employeeIdAttribute: 'employeeNumber', allStaff: 'all-staff',
    connection: [
      `url: ${slapd.url}`,
      `bindDN: "${slapd.bindDN}"`,
      'password: ${env:ROSTER_E2E_LDAP_PASSWORD}',
      'users:',
      `  base: "ou=people,${s}"`,
      `  dn: "${project.usersDn}"`,
      ...(project.createOUs === true ? ['  createOUs: true'] : []),
      '  key: uid',
      `  attributes: { ${mapping} }`,
      `groups: { base: "ou=groups,${s}", names: true, create: true${project.placeholder === true ? `, placeholder: "cn=placeholder,${s}"` : ''} }`,
      `disable: ${project.disable ?? `{ strategy: move, ou: "ou=disabled,${s}" }`}`,
    ],
  }, project);
}

function rosterYaml(target: DirectoryTarget, policy: TargetPolicy): string {
  const lines = [
    'store: sqlite:./data/roster.db',
    ...(policy.lifecycle === true ? ['lifecycle: { prehireLeadDays: 7, timezone: UTC }'] : []),
    'sources:',
    '  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }',
    'targets:',
    `  - id: ${target.id}`,
    `    type: ${target.type}`,
    '    connection:',
    ...target.connection.map((line) => `      ${line}`),
    `    accountKey: ${target.accountKey}`,
    '    attributes:',
    ...Object.entries(policy.attributes).map(([name, cel]) => `      ${name}: ${cel}`),
    ...(policy.leaver === undefined ? [] : [`    leaver: ${policy.leaver}`]),
    `    safety: ${policy.safety}`,
    `    executor: ${policy.executor ?? EXECUTOR}`,
    ...(policy.orphans === undefined ? [] : [reconcileYaml(target.employeeIdAttribute, policy.orphans).trimEnd()]),
    'roles:',
    ...[`{ id: staff, when: "true", grants: { ${target.id}: [${target.allStaff}] } }`, ...(policy.roles ?? [])].map((role) => `  - ${role}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** One role a department: its people get the group named. */
export function departmentRoles(target: string, groups: Readonly<Record<string, string>>): string[] {
  return Object.entries(groups).map(([department, group]) =>
    `{ id: ${department.toLowerCase()}, when: 'identity.department == "${department}"', grants: { ${target}: [${group}] } }`);
}

/** An LDAP client bound as the server's administrator (over LDAPS with the test CA for Samba). */
export async function adminClient(server: RunningSamba | RunningSlapd): Promise<Client> {
  const client = new Client({ url: server.url, ...('ca' in server ? { tlsOptions: { ca: server.ca } } : {}) });
  await client.bind(server.bindDN, server.password);
  return client;
}

/**
 * The groups under ou=groups that list `dn` as a member (DNs, sorted): what
 * the groups themselves hold, as the ldap connector reads them. Not memberOf:
 * slapd's memberof overlay is deprecated, and under concurrent writes to one
 * group it was seen to leave a membership out of memberOf (the group held it).
 */
export async function groupsOf(client: Client, slapd: RunningSlapd, dn: string | undefined): Promise<string[]> {
  if (dn === undefined) return [];
  const filter = new OrFilter({ filters: ['member', 'uniqueMember'].map((attribute) => new EqualityFilter({ attribute, value: dn })) });
  const { searchEntries } = await client.search(`ou=groups,${slapd.suffix}`, { scope: 'sub', filter, attributes: ['1.1'] });
  return searchEntries.map((entry) => entry.dn).sort();
}

/** A temp project directory holding Samba's CA as ./ca.pem, which adProjectYaml points at. */
export function adProjectDir(prefix: string, samba: RunningSamba): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  return dir;
}

/** What a directory e2e leaves behind; any part may be missing when beforeAll failed part way. */
export async function tearDown(left: {
  readonly engine?: Engine | undefined;
  readonly client?: Client | undefined;
  readonly server?: { stop(): Promise<void> } | undefined;
  readonly dirs: readonly (string | undefined)[];
}): Promise<void> {
  await left.engine?.close();
  await left.client?.unbind();
  await left.server?.stop();
  for (const dir of left.dirs) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
