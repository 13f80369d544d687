import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

/**
 * review22: a role granting an `ad` target a group whose name is longer than
 * AD's 64 characters for a cn is refused by `roster validate` at the grant's
 * line, naming the role, the target, the group and the limit: no such group
 * can exist, and groups.create would fail with LDAP 21 at apply.
 */
const FILE = '/etc/roster/roster.yaml';
const LONG = `Engineering-${'x'.repeat(53)}`;
const SIXTY_FOUR = `Engineering-${'y'.repeat(52)}`;
function yaml(groups: string, grants: string): string {
  return `sources:
  - { id: hr, type: csv, path: hr.csv, key: employeeId }
targets:
  - id: corp-ad
    type: ad
    connection:
      url: ldaps://dc1.corp.example:636
      bindDN: CN=roster,OU=Service,DC=corp,DC=example
      password: secret
      base: OU=Staff,DC=corp,DC=example
      users: { dn: "CN={sAMAccountName},OU=People,OU=Staff,DC=corp,DC=example" }
${groups}    accountKey: sAMAccountName
    attributes: { sAMAccountName: identity.employeeId }
roles:
  - id: engineering
    when: 'true'
    grants:
      corp-ad:
${grants}`;
}
const GROUPS = '      groups: { base: "OU=Groups,OU=Staff,DC=corp,DC=example", names: true, create: true }\n';
const check = (text: string) => validateConfigText(text, FILE, { env: {}, checkFields: false });

describe('review22: an ad group name over 64 characters in a role\'s grants', () => {
  it('a name of 65 is refused at its line; 64 is fine', () => {
    const { problems, config } = check(yaml(GROUPS, `        - ${SIXTY_FOUR}\n        - ${LONG}\n`));
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      `${FILE}:21:11: roles[0].grants.corp-ad[1]: role 'engineering' grants ad target 'corp-ad' the group "${LONG}", whose name is 65 characters long: `
        + 'Active Directory allows at most 64 in a group\'s name (cn): no such group can exist there; shorten the name',
    ]);
    expect(check(yaml(GROUPS, `        - ${SIXTY_FOUR}\n`)).problems).toEqual([]);
  });

  it('as a DN its leaf is the name, with names off too; an emoji counts two, as AD counts', () => {
    const off = GROUPS.replace('names: true', 'names: false');
    const dn = `"CN=${LONG},OU=Groups,OU=Staff,DC=corp,DC=example"`;
    expect(check(yaml(off, `        - ${dn}\n`)).problems.map((p) => p.message)).toEqual([expect.stringContaining(`the group "${LONG}", whose name is 65 characters long`)]);
    const emoji = `${'a'.repeat(63)}😀`;
    expect(check(yaml(GROUPS, `        - "${emoji}"\n`)).problems.map((p) => p.message)).toEqual([
      expect.stringContaining('is 65 characters long (counted as AD counts, in UTF-16 units: a character such as an emoji counts two): Active Directory allows at most 64'),
    ]);
  });

  it('not for an ldap target, nor an ad target without groups (its grants are refused for that)', () => {
    expect(check(yaml('', `        - ${LONG}\n`)).problems).toEqual([]);
    const ldap = yaml('', `        - ${LONG}\n`).replace('type: ad', 'type: ldap')
      .replace(/      base: OU=Staff.*\n      users: .*\n/, '      users: { base: "OU=Staff,DC=corp,DC=example", dn: "CN={sAMAccountName},OU=People,OU=Staff,DC=corp,DC=example", key: sAMAccountName }\n      groups: { base: "OU=Groups,OU=Staff,DC=corp,DC=example", names: true }\n');
    const { problems, config } = check(ldap);
    expect(problems).toEqual([]);
    expect(config?.roles[0]?.grants['corp-ad']).toEqual([LONG]);
  });
});
