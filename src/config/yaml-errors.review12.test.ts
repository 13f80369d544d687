import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

const FILE = '/etc/roster/roster.yaml';

function problems(text: string): string[] {
  const result = validateConfigText(text, FILE, { env: { A: 'a-value-r12' } });
  expect(result.config).toBeUndefined();
  return result.problems.map(formatProblem);
}

/** What the "quote it" message must not cost: another error of the file, or a `$_` the user wrote. */
describe('an unquoted ${…} in a flow mapping, with other errors (review12)', () => {
  it('a broken reference elsewhere keeps its own error next to the flow one', () => {
    const text = `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp
    type: ldap
    accountKey: uid
    connection: { url: "ldap://x", bindDN: cn=a, password: \${env:A} }
    note: \${env: B}
    attributes: { uid: identity.employeeId }
`;
    expect(problems(text)).toEqual([
      `${FILE}:8:60: targets[0].connection.password: YAML syntax: \${env:A} is not quoted inside a flow mapping ({ … }), where { and } are YAML syntax; quote the value: "\${env:A}"`,
      `${FILE}:9:11: YAML syntax: Nested mappings are not allowed in compact mappings`,
    ]);
  });

  it('a plain `$_x` written in a flow mapping is not taken for an unquoted reference', () => {
    const text = `store: sqlite:./roster.db
x: { a: $_x }
y: \${env:A}
z: [
`;
    const found = problems(text);
    expect(found.join('\n')).not.toContain('not quoted');
    expect(found).toEqual([`${FILE}:5:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]`]);
  });
});
