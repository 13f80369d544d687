import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../config/load.js';

/** A source filter is one RFC 4515 filter: two in a row, or an unbalanced one, is refused where it is written. */
describe('directory source filter at load', () => {
  const yaml = (filter: string) => `sources:
  - id: corp
    type: ldap
    key: employeeNumber
    connection: { url: "ldap://127.0.0.1:389", bindDN: cn=admin, password: x, base: dc=example, filter: "${filter}" }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeNumber }
`;
  const problems = (filter: string) => validateConfigText(yaml(filter), '/etc/roster/roster.yaml', { env: {} }).problems.map((p) => [p.path, p.line]);

  it('refuses two filters in a row and unbalanced parentheses, at their line', () => {
    expect(problems('(a=b)(c=d)')).toEqual([['sources[0].connection.filter', 5]]);
    expect(problems('(&(a=b)(c=d)')).toEqual([['sources[0].connection.filter', 5]]);
    expect(problems('(a=b))(')).toEqual([['sources[0].connection.filter', 5]]);
  });

  it('takes one filter, nested or with escaped parentheses', () => {
    expect(problems('(&(objectClass=inetOrgPerson)(|(ou=a)(ou=b)))')).toEqual([]);
    expect(problems('(cn=a\\\\28b\\\\29)')).toEqual([]);
  });
});
