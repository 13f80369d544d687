import { describe, expect, it } from 'vitest';
import { connectionSchemas } from '../connectors/registry.js';
import { formatProblem, validateConfigText } from './load.js';

const FILE = '/etc/roster/roster.yaml';

/** Numbers and switches of connections set from the environment, as an operator templating roster.yaml does. */
const YAML = `
store: sqlite:./roster.db
server: { port: "\${env:PORT}" }
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, complete: "\${env:COMPLETE}" }
targets:
  - id: corp
    type: ldap
    connection:
      url: ldap://127.0.0.1:3890
      bindDN: cn=admin,dc=example,dc=com
      password: \${env:LDAP_PASSWORD}
      startTLS: \${env:LDAP_STARTTLS}
      poolSize: \${env:LDAP_POOL}
      timeoutMs: \${env:LDAP_TIMEOUT}
      users: { base: "ou=people,dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid }
    accountKey: uid
    attributes: { uid: identity.employeeId, cn: identity.employeeId, sn: identity.employeeId }
  - id: app
    type: sql
    connection: { url: "sqlite:./app.db", createTables: "\${env:CREATE_TABLES}", users: { table: users, key: username, columns: { username: username } } }
    accountKey: username
    attributes: { username: identity.employeeId }
`;

const ENV = {
  PORT: '8443', COMPLETE: 'false', LDAP_PASSWORD: 'secret', LDAP_STARTTLS: 'TRUE', LDAP_POOL: '8', LDAP_TIMEOUT: ' 1500 ', CREATE_TABLES: 'true',
};

describe('number and boolean keys set through ${env:…}', () => {
  it('are read as numbers and booleans, in the main file and in every connection', () => {
    const { config, problems } = validateConfigText(YAML, FILE, { env: ENV });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(config!.server.port).toBe(8443);
    expect(config!.sources[0]!.complete).toBe(false);
    const ldap = connectionSchemas.ldap!.parse(config!.targets[0]!.connection) as Record<string, unknown>;
    expect(ldap).toMatchObject({ startTLS: true, poolSize: 8, timeoutMs: 1500 });
    const sql = connectionSchemas.sql!.parse(config!.targets[1]!.connection) as Record<string, unknown>;
    expect(sql).toMatchObject({ createTables: true });
  });

  it('still refuses text that is neither, naming the key', () => {
    const { config, problems } = validateConfigText(YAML, FILE, { env: { ...ENV, LDAP_STARTTLS: 'yes', LDAP_POOL: 'eight' } });
    expect(config).toBeUndefined();
    const text = problems.map(formatProblem).join('\n');
    expect(text).toMatch(/startTLS/);
    expect(text).toMatch(/poolSize/);
  });

  it('keeps the bounds: a pool of 99 from the environment is refused', () => {
    const { problems } = validateConfigText(YAML, FILE, { env: { ...ENV, LDAP_POOL: '99' } });
    expect(problems.map(formatProblem).join('\n')).toMatch(/poolSize/);
  });
});
