import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

/**
 * review21: `roster validate` reads a substituted boolean as the connector
 * does. `rejectUnauthorized: "${env:TLS_VERIFY}"` giving "false" turns the
 * certificate checks off, but validate said nothing (it only knew a YAML
 * boolean); `startTLS: "${env:STARTTLS}"` giving "true" encrypts, but
 * validate warned of a connection in clear. The warning names the target or
 * source, not only its index.
 */
function yaml(connection: string): string {
  return `sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
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
const check = (text: string, env: Record<string, string>) => validateConfigText(text, '/etc/roster/roster.yaml', { env, checkFields: false });

describe('review21: validate reads substituted TLS settings as the connector does', () => {
  it('rejectUnauthorized "false" from the environment (any case) is warned of, naming the target', () => {
    for (const value of ['false', 'FALSE', 'False']) {
      const { problems, warnings } = check(yaml('url: ldaps://ldap.example.com\n      tls: { rejectUnauthorized: "${env:TLS_VERIFY}" }'), { TLS_VERIFY: value });
      expect(problems).toEqual([]);
      expect(warnings.map(formatProblem), value).toEqual([
        expect.stringMatching(/targets\[0\]\.connection\.tls\.rejectUnauthorized: tls\.rejectUnauthorized is false.*\(target corp-ldap\)$/),
      ]);
    }
  });

  it('startTLS "true" from the environment is no connection in clear; "false" to another machine is, naming the target', () => {
    const on = check(yaml('url: ldap://ldap.example.com\n      startTLS: "${env:STARTTLS}"'), { STARTTLS: 'true' });
    expect(on.problems).toEqual([]);
    expect(on.warnings).toEqual([]);
    const off = check(yaml('url: ldap://ldap.example.com\n      startTLS: "${env:STARTTLS}"'), { STARTTLS: 'false' });
    expect(off.warnings.map(formatProblem)).toEqual([expect.stringMatching(/targets\[0\]\.connection\.url: .*not encrypted.*\(target corp-ldap\)$/)]);
  });
});
