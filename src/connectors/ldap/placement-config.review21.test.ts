import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from '../../config/load.js';
import { ldapConnectionSchema } from './config.js';

const users = { base: 'dc=example,dc=com', dn: 'uid={uid},ou=people,dc=example,dc=com', key: 'uid' };
const base = { url: 'ldap://127.0.0.1:3890', bindDN: 'cn=admin,dc=example,dc=com', password: 'secret' };

describe('review21: connection.users.placement', () => {
  it('is keep by default and takes keep or enforce', () => {
    expect(ldapConnectionSchema.parse({ ...base, users }).users.placement).toBe('keep');
    for (const placement of ['keep', 'enforce'] as const) expect(ldapConnectionSchema.parse({ ...base, users: { ...users, placement } }).users.placement).toBe(placement);
  });

  it('a roster.yaml with another value names the file, line and key path', () => {
    const yaml = `store: sqlite:./data/roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ldap://127.0.0.1:3890
      bindDN: cn=admin,dc=example,dc=com
      password: secret
      users:
        base: "dc=example,dc=com"
        dn: "uid={uid},ou=people,dc=example,dc=com"
        key: uid
        placement: always
    accountKey: uid
    attributes: { uid: identity.employeeId }
`;
    const { config, problems } = validateConfigText(yaml, '/etc/roster/roster.yaml', { env: {} });
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem).join('\n')).toBe('/etc/roster/roster.yaml:15:20: targets[0].connection.users.placement: expected one of keep, enforce');
  });
});
