import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';
import { readableAttributes } from './match-rules.js';

const FILE = '/etc/roster/roster.yaml';

function yaml(type: string, connection: string, match: string): string {
  return `
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp
    type: ${type}
    connection:
      ${connection}
    accountKey: uid
    attributes: { uid: identity.employeeId }
    reconcile:
      match:
        - ${match}
`;
}

const LDAP = `{ url: "ldap://127.0.0.1", bindDN: "cn=admin", password: x, users: { base: "ou=people,dc=x", dn: "uid={uid},ou=people,dc=x", key: uid, attributes: { email: mail, employeeNumber: employeeNumber } } }`;
const SQL = '{ url: "sqlite:./app.db", users: { table: users, key: login, columns: { uid: login, email: email } } }';

describe('reconcile.match rules at load', () => {
  it('refuses a rule an ldap target does not read, at the rule, naming what it reads', () => {
    const result = validateConfigText(yaml('ldap', LDAP, '{ account: mail, identity: email }'), FILE, { env: {} });
    expect(result.problems.map(formatProblem)).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      path: 'targets[0].reconcile.match[0].account', line: 13,
      message: 'the ldap connector does not read mail for this target (it reads: email, employeeNumber, uid); map it in connection.users.attributes or write it in attributes, or match on one of those',
    });
  });

  it('an ldap target also reads what its mappings write, under the Roster name', () => {
    const written = yaml('ldap', LDAP, '{ account: title, identity: title }').replace('attributes: { uid: identity.employeeId }', 'attributes: { uid: identity.employeeId, title: identity.title }');
    expect(validateConfigText(written, FILE, { env: {} }).problems).toEqual([]);
  });

  it('accepts mapped attributes and the key (ldap), and columns by their attribute names (sql)', () => {
    for (const [type, connection, account] of [['ldap', LDAP, 'email'], ['ldap', LDAP, 'uid'], ['sql', SQL, 'uid'], ['sql', SQL, 'email']] as const) {
      expect(validateConfigText(yaml(type, connection, `{ account: ${account}, identity: email }`), FILE, { env: {} }).problems).toEqual([]);
    }
    // The key column is read under the attribute mapped to it (uid), not under its own name.
    expect(validateConfigText(yaml('sql', SQL, '{ account: login, identity: email }'), FILE, { env: {} }).problems)
      .toMatchObject([{ path: 'targets[0].reconcile.match[0].account' }]);
  });

  it('leaves targets whose readable attributes the config does not tell to the runtime check', () => {
    expect(readableAttributes('ad', { users: { key: 'sAMAccountName', attributes: {} } })).toBeUndefined();
    expect(readableAttributes('memory', { key: 'username' })).toBeUndefined();
    expect(readableAttributes('ldap', { users: 'nonsense' })).toBeUndefined();
  });

  it('the shipped ldap example passes', () => {
    const text = readFileSync(new URL('../../examples/ldap/roster.yaml', import.meta.url), 'utf8');
    const problems = validateConfigText(text, FILE, { env: { LDAP_ADMIN_PASSWORD: 'x', ROSTER_LDAP_PASSWORD: 'x' } }).problems;
    expect(problems.filter((p) => p.path.includes('reconcile'))).toEqual([]);
  });
});
