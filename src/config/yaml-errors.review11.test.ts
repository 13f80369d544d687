import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';
import { MINIMAL_YAML } from './test-fixtures.js';

const FILE = '/etc/roster/roster.yaml';

const LDAP_TARGET = (connection: string): string => `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp
    type: ldap
    accountKey: uid
${connection}
    attributes: { uid: identity.employeeId }
`;

function problems(text: string): string[] {
  const result = validateConfigText(text, FILE, { env: { LDAP_PASSWORD: 'pw-value-r11' } });
  expect(result.config).toBeUndefined();
  return result.problems.map(formatProblem);
}

/** An unquoted `${env:X}` in a `{ … }` flow mapping: one problem at its line saying to quote it, not a dozen YAML errors. */
describe('an unquoted ${…} in a flow collection (review11)', () => {
  it('in a one-line flow mapping: one problem, at the reference, with the fix', () => {
    const text = LDAP_TARGET('    connection: { url: "ldap://127.0.0.1:1", bindDN: cn=admin, password: ${env:LDAP_PASSWORD}, users: { base: "dc=x", dn: "uid={uid},dc=x", key: uid } }');
    expect(problems(text)).toEqual([
      `${FILE}:8:74: targets[0].connection.password: YAML syntax: \${env:LDAP_PASSWORD} is not quoted inside a flow mapping ({ … }), where { and } are YAML syntax; quote the value: "\${env:LDAP_PASSWORD}"`,
    ]);
  });

  it('quoted, the same line is valid', () => {
    const text = LDAP_TARGET('    connection: { url: "ldap://127.0.0.1:1", bindDN: cn=admin, password: "${env:LDAP_PASSWORD}", users: { base: "dc=x", dn: "uid={uid},dc=x", key: uid, objectClasses: [inetOrgPerson] } }');
    const result = validateConfigText(text, FILE, { env: { LDAP_PASSWORD: 'pw-value-r11' } });
    expect(result.problems).toEqual([]);
  });

  it('in a flow mapping over several lines and in a flow sequence: one problem each', () => {
    const text = LDAP_TARGET([
      '    connection: {',
      '      url: "ldap://127.0.0.1:1",',
      '      bindDN: cn=admin,',
      '      password: ${env:LDAP_PASSWORD},',
      '      users: { base: "dc=x", dn: "uid={uid},dc=x", key: uid, objectClasses: [inetOrgPerson, ${env:EXTRA_CLASS}] } }',
    ].join('\n'));
    const found = problems(text);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^\/etc\/roster\/roster\.yaml:11:17: targets\[0\]\.connection\.password: YAML syntax: \$\{env:LDAP_PASSWORD\} is not quoted inside a flow mapping/);
    expect(found[1]).toMatch(/^\/etc\/roster\/roster\.yaml:12:93: targets\[0\]\.connection\.users\.objectClasses\[1\]: YAML syntax: \$\{env:EXTRA_CLASS\} is not quoted inside a flow sequence \(\[ … \]\).*quote the value: "\$\{env:EXTRA_CLASS\}"$/);
  });

  it('other YAML errors in the file are still reported, at their own lines', () => {
    const text = LDAP_TARGET('    connection: { bindDN: cn=admin, password: ${env:LDAP_PASSWORD} }') + 'roles:\n  - id: [unclosed\n';
    const found = problems(text);
    expect(found[0]).toMatch(/:8:47: targets\[0\]\.connection\.password: YAML syntax: \$\{env:LDAP_PASSWORD\} is not quoted/);
    expect(found.length).toBeGreaterThan(1);
    expect(found.slice(1).every((p) => /^\/etc\/roster\/roster\.yaml:1[12]:\d+: YAML syntax: /.test(p))).toBe(true);
  });

  it('YAML errors with no reference to blame are reported as before', () => {
    const duplicate = problems(MINIMAL_YAML.replace('key: employeeId', 'key: employeeId\n    key: other'));
    expect(duplicate).toHaveLength(1);
    expect(duplicate[0]).toMatch(/YAML syntax: duplicate key 'key' \(map keys must be unique\)$/);
    // A reference in block style is valid YAML: a broken flow mapping elsewhere is not blamed on it.
    const elsewhere = problems(MINIMAL_YAML.replace('path: hr.csv', 'path: ${env:HR_FILE}') + 'roles: [ { id: a, when: true ]\n');
    expect(elsewhere.join('\n')).not.toContain('is not quoted');
    expect(elsewhere.length).toBeGreaterThan(0);
  });

  it('never shows a substituted value', () => {
    const text = LDAP_TARGET('    connection: { bindDN: cn=admin, password: ${env:LDAP_PASSWORD} }');
    expect(problems(text).join('\n')).not.toContain('pw-value-r11');
  });
});
