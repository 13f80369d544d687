import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

/**
 * review19: `roster validate` says what the connector logs only once it
 * starts: a directory connection that does not protect the bind password
 * (certificate checks off, or plain ldap:// to another machine), for
 * targets and directory sources alike, at the key that sets it.
 */
function yaml(connection: string, sourceConnection = 'url: ldaps://dc.example.test'): string {
  return `sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
  - id: corp
    type: ldap
    key: employeeNumber
    connection: { ${sourceConnection}, bindDN: "cn=reader,dc=example,dc=com", password: secret, base: "ou=people,dc=example,dc=com" }
    attributes: { givenName: givenName }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      ${connection}
      bindDN: cn=admin,dc=example,dc=com
      password: secret
      users: { base: "dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid }
    accountKey: uid
    attributes: { uid: identity.employeeId }
`;
}
const FILE = '/etc/roster/roster.yaml';
const check = (text: string) => validateConfigText(text, FILE, { env: {}, checkFields: false });

describe('review19: insecure directory connections are warned of by validate', () => {
  it('plain ldap:// to another machine: a warning at connection.url; the file stays valid', () => {
    const { problems, warnings, config } = check(yaml('url: ldap://ldap.example.com:389'));
    expect(problems).toEqual([]);
    expect(config).toBeDefined();
    expect(warnings.map(formatProblem)).toEqual([expect.stringMatching(/targets\[0\]\.connection\.url: .*not encrypted \(ldap:\/\/ without startTLS\).*use ldaps:\/\/ or startTLS: true/)]);
  });

  it('certificate checks turned off: a warning at connection.tls.rejectUnauthorized, for a source too', () => {
    const { warnings } = check(yaml('url: ldaps://ldap.example.com\n      tls: { rejectUnauthorized: false }', 'url: ldap://dc.example.test, startTLS: true, tls: { rejectUnauthorized: false }'));
    expect(warnings.map(formatProblem)).toEqual([
      expect.stringMatching(/sources\[1\]\.connection\.tls\.rejectUnauthorized: tls\.rejectUnauthorized is false/),
      expect.stringMatching(/targets\[0\]\.connection\.tls\.rejectUnauthorized: tls\.rejectUnauthorized is false/),
    ]);
  });

  it('says nothing of ldaps://, startTLS with checks on, or plain ldap:// on this machine', () => {
    for (const connection of ['url: ldaps://ldap.example.com', 'url: ldap://ldap.example.com\n      startTLS: true', 'url: ldap://127.0.0.1:3890', 'url: ldap://localhost', 'url: ldap://[::1]:389']) {
      expect(check(yaml(connection)).warnings, connection).toEqual([]);
    }
  });
});
