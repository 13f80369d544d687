import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

/**
 * review21: a target attribute reading managerAccount.attributes.X where the
 * target maps no X fails each report's plan (or, behind has(), gives no
 * manager): validate says so at the attribute, before any plan.
 */
function yaml(attributes: string): string {
  return `sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ldap://127.0.0.1:3890
      bindDN: cn=admin,dc=example,dc=com
      password: secret
      users: { base: "dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid }
    accountKey: uid
    attributes:
${attributes}
`;
}
const check = (text: string) => validateConfigText(text, '/etc/roster/roster.yaml', { env: {}, checkFields: false });

describe('review21: managerAccount attributes the target does not map', () => {
  it('managerAccount.attributes.dn with users.dn alone: a warning at the attribute, naming the DN template way; the file stays valid', () => {
    const { problems, warnings, config } = check(yaml(`      uid: identity.employeeId
      manager: 'has(managerAccount.id) && has(managerAccount.attributes.dn) ? managerAccount.attributes.dn : ""'`));
    expect(problems).toEqual([]);
    expect(config).toBeDefined();
    expect(warnings.map(formatProblem)).toEqual([expect.stringMatching(
      /targets\[0\]\.attributes\.manager: reads managerAccount\.attributes\.dn, but target corp-ldap maps no attribute dn: .*expression\.failed.*spell the DN from the values the template takes/)]);
  });

  it('an attribute the target maps, or one named by index, is not warned of', () => {
    const { warnings } = check(yaml(`      uid: identity.employeeId
      dn: '"uid=" + identity.employeeId + ",ou=people,dc=example,dc=com"'
      manager: 'has(managerAccount.id) ? managerAccount.attributes.dn + managerAccount.attributes["uid"] : ""'`));
    expect(warnings).toEqual([]);
  });

  it('any other attribute the target does not map is named, with no DN hint', () => {
    const { warnings } = check(yaml(`      uid: identity.employeeId
      seeAlso: 'has(managerAccount.id) ? managerAccount.attributes.mail : ""'`));
    expect(warnings.map(formatProblem)).toEqual([expect.stringMatching(/attributes\.seeAlso: reads managerAccount\.attributes\.mail, but target corp-ldap maps no attribute mail: (?!.*template)/)]);
  });
});
