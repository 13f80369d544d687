import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from '../../config/load.js';
import { ldapConnectionSchema } from './config.js';
import { removesPassword } from './disable-password.js';

const base = {
  url: 'ldap://127.0.0.1:3890', bindDN: 'cn=admin,dc=example,dc=com', password: 'secret',
  users: { base: 'dc=example,dc=com', dn: 'uid={uid},ou=people,dc=example,dc=com', key: 'uid' },
};
const STRATEGIES = [
  { strategy: 'move', ou: 'ou=disabled,dc=example,dc=com' },
  { strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' },
  { strategy: 'strip-groups', attribute: 'employeeType', value: 'disabled' },
];

describe('review18: connection.disable.password', () => {
  it('takes remove or keep with every strategy; absent it keeps the password (as before)', () => {
    for (const disable of STRATEGIES) {
      for (const password of ['remove', 'keep', undefined]) {
        const parsed = ldapConnectionSchema.parse({ ...base, disable: { ...disable, ...(password === undefined ? {} : { password }) } });
        expect({ strategy: disable.strategy, password, removes: removesPassword(parsed.disable) }).toEqual({ strategy: disable.strategy, password, removes: password === 'remove' });
      }
    }
    expect(removesPassword(undefined)).toBe(false);
  });

  it('refuses any other value with a message that names both choices and never quotes the value', () => {
    for (const disable of STRATEGIES) {
      for (const password of ['delete', 'Remove', true, 'Hunter2-Secret']) {
        const result = ldapConnectionSchema.safeParse({ ...base, disable: { ...disable, password } });
        expect(result.success).toBe(false);
        const issue = result.error?.issues[0];
        expect(issue?.path).toEqual(['disable', 'password']);
        expect(issue?.message).toBe('password must be "remove" (the disable also removes userPassword) or "keep" (userPassword stays)');
        expect(JSON.stringify(result.error?.issues)).not.toContain('Hunter2-Secret');
      }
    }
  });

  it('a roster.yaml with a bad value names the file, line and key path', () => {
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
      users: { base: "dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid }
      disable: { strategy: move, ou: "ou=disabled,dc=example,dc=com", password: wipe }
    accountKey: uid
    attributes: { uid: identity.employeeId }
`;
    const { config, problems } = validateConfigText(yaml, '/etc/roster/roster.yaml', { env: {} });
    expect(config).toBeUndefined();
    const text = problems.map(formatProblem).join('\n');
    // The loader words an enum's problem itself (the choices), at the value's line and column.
    expect(text).toBe('/etc/roster/roster.yaml:12:81: targets[0].connection.disable.password: expected one of remove, keep');
  });
});
