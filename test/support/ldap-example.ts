import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How a test changes examples/ldap/roster.yaml besides pointing it at its own slapd and project dir. */
export interface LdapExampleOptions {
  /** A mapped password (a CEL expression), written to userPassword as a secret attribute (`secrets: [password]`). */
  readonly password?: string;
  /** The bind DN in place of the example's cn=admin. */
  readonly bindDN?: string;
  /** The bind password in place of `${env:LDAP_PASSWORD}` (a CLI run that passes no environment). */
  readonly bindPassword?: string;
  /** The target's executor block in place of the example's, e.g. `{ concurrency: 4, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }`. */
  readonly executor?: string;
  /** disable.password in place of the example's `remove`. */
  readonly disablePassword?: 'remove' | 'keep';
}

/** `text` with `from` replaced by `to`; throws when `from` is not there (the example changed, and the test would silently test something else). */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`examples/ldap/roster.yaml no longer holds ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/**
 * examples/ldap/roster.yaml as a test project runs it: its store in
 * ./data/roster.db and its HR file at ./employees.csv of the project dir,
 * against the test's slapd (`url`), with `options` applied.
 */
export function ldapExampleYaml(url: string, options: LdapExampleOptions = {}): string {
  let yaml = readFileSync(join(import.meta.dirname, '../../examples/ldap/roster.yaml'), 'utf8');
  yaml = swap(yaml, 'store: sqlite:../../data/ldap-example.db', 'store: sqlite:./data/roster.db');
  yaml = swap(yaml, 'path: ./hr/employees.csv', 'path: ./employees.csv');
  yaml = swap(yaml, 'url: ldap://127.0.0.1:3890', `url: ${url}`);
  if (options.bindDN !== undefined) yaml = swap(yaml, 'bindDN: cn=admin,dc=example,dc=com', `bindDN: ${options.bindDN}`);
  if (options.bindPassword !== undefined) yaml = swap(yaml, '${env:LDAP_PASSWORD}', options.bindPassword);
  if (options.executor !== undefined) yaml = swap(yaml, 'executor: { concurrency: 4, maxAttempts: 5 }', `executor: ${options.executor}`);
  if (options.disablePassword !== undefined) yaml = swap(yaml, 'password: remove }', `password: ${options.disablePassword} }`);
  if (options.password !== undefined) {
    yaml = swap(yaml, 'employeeNumber: employeeNumber, employeeType: employeeType }', 'employeeNumber: employeeNumber, employeeType: employeeType, password: userPassword }');
    yaml = swap(yaml, '      employeeType: identity.employmentType\n', `      employeeType: identity.employmentType\n      password: '${options.password}'\n    secrets: [password]\n`);
  }
  return yaml;
}
