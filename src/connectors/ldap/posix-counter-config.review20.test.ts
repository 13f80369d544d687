import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from '../../config/load.js';
import { ldapConnectionSchema } from './config.js';

const users = { base: 'dc=example,dc=com', dn: 'uid={uid},ou=people,dc=example,dc=com', key: 'uid' };
const connection = (counter: unknown) => ({
  url: 'ldap://127.0.0.1:3890', bindDN: 'cn=admin,dc=example,dc=com', password: 'secret',
  users: { ...users, posix: { uidNumber: { min: 10000, max: 59999 }, gidNumber: 100, ...(counter === undefined ? {} : { counter }) } },
});

/** A roster.yaml whose ldap target's users.posix.counter is `counter` (YAML flow text), at line 13. */
const yaml = (counter: string) => `store: sqlite:./data/roster.db
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
        posix:
          uidNumber: { min: 10000, max: 59999 }
          gidNumber: 100
          counter: ${counter}
    accountKey: uid
    attributes: { uid: identity.employeeId }
`;

describe('users.posix.counter in the config (review20)', () => {
  it('takes a DN and an attribute (uidNumber by default); absent, there is no counter', () => {
    expect(ldapConnectionSchema.parse(connection({ dn: 'cn=uidNext,ou=pools,dc=example,dc=com' })).users.posix?.counter)
      .toEqual({ dn: 'cn=uidNext,ou=pools,dc=example,dc=com', attribute: 'uidNumber' });
    expect(ldapConnectionSchema.parse(connection({ dn: 'cn=uidNext,dc=example,dc=com', attribute: 'serialNumber' })).users.posix?.counter)
      .toEqual({ dn: 'cn=uidNext,dc=example,dc=com', attribute: 'serialNumber' });
    expect(ldapConnectionSchema.parse(connection(undefined)).users.posix?.counter).toBeUndefined();
  });

  it('refuses a counter that is not a DN, an attribute that is not a name, a missing dn and an unknown key, each at its key path', () => {
    const issue = (counter: unknown) => {
      const result = ldapConnectionSchema.safeParse(connection(counter));
      expect(result.success).toBe(false);
      return { path: result.error?.issues[0]?.path, message: result.error?.issues[0]?.message };
    };
    expect(issue({ dn: 'uidNext' })).toEqual({ path: ['users', 'posix', 'counter', 'dn'], message: 'must be a distinguished name such as ou=people,dc=example,dc=com' });
    expect(issue({ dn: 'cn=uidNext,dc=example,dc=com', attribute: 'uid Number)(x' })).toEqual({ path: ['users', 'posix', 'counter', 'attribute'], message: 'must be an LDAP attribute name (letters, digits, hyphens)' });
    expect(issue({ attribute: 'uidNumber' }).path).toEqual(['users', 'posix', 'counter', 'dn']);
    expect(issue({ dn: 'cn=uidNext,dc=example,dc=com', start: 10000 }).path).toEqual(['users', 'posix', 'counter']);
    expect(issue('cn=uidNext,dc=example,dc=com').path).toEqual(['users', 'posix', 'counter']);
  });

  it('a roster.yaml with a bad counter names the file, line, column and key path', () => {
    const good = validateConfigText(yaml('{ dn: "cn=uidNext,ou=pools,dc=example,dc=com" }'), '/etc/roster/roster.yaml', { env: {} });
    expect(good.problems).toEqual([]);
    const { config, problems } = validateConfigText(yaml('{ dn: "uidNext" }'), '/etc/roster/roster.yaml', { env: {} });
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem).join('\n')).toBe('/etc/roster/roster.yaml:18:26: targets[0].connection.users.posix.counter.dn: must be a distinguished name such as ou=people,dc=example,dc=com');
  });
});
