import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../config/load.js';

const TARGETS = `targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeID }
`;

function yaml(source: string): string {
  return `sources:\n${source}${TARGETS}`;
}

const AD_SOURCE = `  - id: corp
    type: ad
    key: employeeID
    schedule: "*/5 * * * *"
    fullSchedule: "0 2 * * *"
    connection:
      url: ldaps://dc1.example.test:636
      bindDN: CN=roster,OU=Service,DC=example,DC=test
      password: \${env:AD_PASSWORD}
      tls: { ca: ./ca.pem }
      base: OU=Staff,DC=example,DC=test
    attributes: { givenName: givenName, familyName: sn, managerId: manager }
    disabledStatus: leaver
`;

describe('directory source configuration', () => {
  it('loads an ad source: complete by default, connection defaults filled, the password substituted', () => {
    const { config, problems } = validateConfigText(yaml(AD_SOURCE), '/etc/roster/roster.yaml', { env: { AD_PASSWORD: 's3cret' } });
    expect(problems).toEqual([]);
    const source = config!.sources[0]!;
    expect(source).toMatchObject({ type: 'ad', key: 'employeeID', complete: true, fullSchedule: '0 2 * * *', disabledStatus: 'leaver' });
    expect(source.connection).toMatchObject({ password: 's3cret', pageSize: 500, startTLS: false, base: 'OU=Staff,DC=example,DC=test' });
    expect(source.connection!.filter).toBeUndefined();
    expect(source.attributes).toEqual({ givenName: 'givenName', familyName: 'sn', managerId: 'manager' });
  });

  it('locates problems: a missing connection, a bad filter, an attribute that is not an LDAP name, directory keys on a csv source', () => {
    const text = yaml(`  - id: corp
    type: ldap
    key: employeeNumber
    disabledStatus: off
  - id: corp2
    type: ldap
    key: employeeNumber
    connection: { url: "ldap://127.0.0.1:389", bindDN: cn=admin, password: x, base: dc=example, filter: "objectClass=person" }
    attributes: { email: "mail)(uid=*" }
  - id: hr
    type: csv
    path: hr.csv
    key: id
    fullEvery: 3
  - id: corp3
    type: ad
    key: "employee ID"
    fullSchedule: "every night"
    connection: { url: "ldaps://dc1:636", bindDN: cn=admin, password: x, base: dc=example }
`);
    const problems = validateConfigText(text, '/etc/roster/roster.yaml', { env: {} }).problems;
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['sources[1].connection.filter', 9],
      ['sources[1].attributes.email', 10],
    ]);
    const schemaOk = validateConfigText(text.replace(', filter: "objectClass=person"', '').replace('"mail)(uid=*"', 'mail'), '/etc/roster/roster.yaml').problems;
    expect(schemaOk.map((p) => [p.path, p.message])).toEqual([
      ['sources[0]', "missing required key 'connection' (an ldap source reads a directory)"],
      ['sources[0].disabledStatus', 'only an ad source has a disabled flag (userAccountControl)'],
      ['sources[2].fullEvery', "only an ldap or ad source takes 'fullEvery'"],
      ['sources[3].key', 'must be an LDAP attribute name (letters, digits, hyphens)'],
      ['sources[3].fullSchedule', expect.stringMatching(/^invalid cron schedule/)],
    ]);
  });

  it('takes `changes: syncrepl` on an ldap source only', () => {
    const ldap = `  - id: corp
    type: ldap
    key: employeeNumber
    changes: syncrepl
    connection: { url: "ldap://127.0.0.1:389", bindDN: cn=admin, password: x, base: dc=example }
`;
    const { config, problems } = validateConfigText(yaml(ldap), '/etc/roster/roster.yaml', { env: {} });
    expect(problems).toEqual([]);
    expect(config!.sources[0]).toMatchObject({ type: 'ldap', changes: 'syncrepl' });
    const wrong = yaml(`${AD_SOURCE}    changes: syncrepl
  - id: hr
    type: csv
    path: hr.csv
    key: id
    changes: timestamp
  - id: corp2
    type: ldap
    key: employeeNumber
    changes: persist
    connection: { url: "ldap://127.0.0.1:389", bindDN: cn=admin, password: x, base: dc=example }
`);
    expect(validateConfigText(wrong, '/etc/roster/roster.yaml', { env: { AD_PASSWORD: 'x' } }).problems.map((p) => p.path)).toEqual([
      'sources[2].changes',
    ]);
    const schemaOk = wrong.replace('changes: persist', 'changes: timestamp');
    expect(validateConfigText(schemaOk, '/etc/roster/roster.yaml', { env: { AD_PASSWORD: 'x' } }).problems.map((p) => [p.path, p.message])).toEqual([
      ['sources[0].changes', expect.stringContaining('syncrepl is OpenLDAP')],
      ['sources[1].changes', "only an ldap or ad source takes 'changes'"],
    ]);
  });
});
