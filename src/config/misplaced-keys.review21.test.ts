import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

/**
 * Review 21: a key written at the wrong level of a target gets "unknown key"
 * and where it belongs, when the target's schema (its own keys, and its
 * connection's by its type) has a key of that name elsewhere; still at the
 * key's file:line:column.
 */
const FILE = '/etc/roster/roster.yaml';

const ad = (extra: string, users = '') => `sources:
  - { id: hr, type: csv, path: hr.csv, key: employeeId }
targets:
  - id: corp
    type: ad
    connection:
      url: ldaps://dc1.corp.example:636
      bindDN: CN=roster,OU=Service,DC=corp,DC=example
      password: secret
      base: OU=Staff,DC=corp,DC=example
      users: { dn: "CN={sAMAccountName},OU=People,OU=Staff,DC=corp,DC=example"${users} }
${extra}    accountKey: sAMAccountName
    attributes: { sAMAccountName: identity.employeeId }
`;

const problemsOf = (text: string) => validateConfigText(text, FILE, { env: {}, checkFields: false }).problems;

describe('review21: a misplaced target key says where it belongs', () => {
  it('passwords and placement at the target\'s top level: in its connection', () => {
    const problems = problemsOf(ad('    passwords: { length: 30 }\n    placement: enforce\n'));
    expect(problems.map(formatProblem)).toEqual([
      `${FILE}:12:5: targets[0].passwords: unknown key 'passwords' (it belongs at targets[0].connection.passwords)`,
      `${FILE}:13:5: targets[0].placement: unknown key 'placement' (it belongs at targets[0].connection.users.placement)`,
    ]);
  });

  it('maxMoves outside safety, and a target key inside connection', () => {
    expect(problemsOf(ad('    maxMoves: 5%\n')).map(formatProblem)).toEqual([
      `${FILE}:12:5: targets[0].maxMoves: unknown key 'maxMoves' (it belongs at targets[0].safety.maxMoves)`,
    ]);
    const inConnection = problemsOf(ad('', ', placement: enforce').replace('      base:', '      accountKey: sAMAccountName\n      base:'));
    expect(inConnection.map(formatProblem)).toEqual([
      `${FILE}:10:7: targets[0].connection.accountKey: unknown key 'accountKey' (it belongs at targets[0].accountKey)`,
    ]);
  });

  it('placement at the connection\'s top level: in users', () => {
    const problems = problemsOf(ad('').replace('      base:', '      placement: enforce\n      base:'));
    expect(problems.map(formatProblem)).toEqual([
      `${FILE}:10:7: targets[0].connection.placement: unknown key 'placement' (it belongs at targets[0].connection.users.placement)`,
    ]);
  });

  it('by the target\'s own type: an ldap connection has no passwords block, so none is suggested; typos are still caught', () => {
    const ldap = ad('    passwords: { length: 30 }\n').replace('type: ad', 'type: ldap');
    expect(problemsOf(ldap).find((p) => p.path === 'targets[0].passwords')?.message).toMatch(/^unknown key 'passwords' \(allowed: /);
    expect(problemsOf(ad('    onleave: keep\n'))[0]?.message).toBe("unknown key 'onleave' (did you mean 'onLeave'?)");
  });
});
