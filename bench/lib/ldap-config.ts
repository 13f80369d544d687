/**
 * roster.yaml (as plain data) for the directory load benchmark: one ldap or ad
 * target, no roles (entries only, so the raw ldapadd side loads exactly the
 * same entries), the executor's concurrency and the pool both set to C.
 */
export interface DirectoryServer {
  readonly kind: 'ldap' | 'ad';
  readonly url: string;
  readonly bindDN: string;
  readonly password: string;
  /** Where the people go (an existing OU). */
  readonly peopleDn: string;
  /** Search base of the connector. */
  readonly base: string;
  /** PEM of the CA (LDAPS), when there is one. */
  readonly ca?: string;
}

const SOURCE = {
  id: 'hr', type: 'csv', path: './employees.csv', key: 'employeeId', maxMissing: '20%',
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
};

/** A uidNumber range for `posix` runs (gidNumber 100). */
const POSIX = { uidNumber: { min: 100_000, max: 999_999 }, gidNumber: 100 };

function connection(server: DirectoryServer, connections: number, posix: boolean): Record<string, unknown> {
  const common = { url: server.url, bindDN: server.bindDN, password: '${env:ROSTER_BENCH_LDAP_PASSWORD}', poolSize: connections };
  if (server.kind === 'ad') {
    return {
      ...common, tls: { ca: server.ca }, base: server.base,
      users: { dn: `CN={sAMAccountName},${server.peopleDn}`, upnSuffix: 'example.test' },
    };
  }
  return {
    ...common,
    users: {
      base: server.peopleDn, dn: `uid={uid},${server.peopleDn}`, key: 'uid',
      attributes: { email: 'mail', cn: 'cn', sn: 'sn', givenName: 'givenName', displayName: 'displayName', title: 'title', department: 'departmentNumber', employeeNumber: 'employeeNumber' },
      ...(posix ? { posix: POSIX } : {}),
    },
  };
}

function attributes(server: DirectoryServer, usernameExpression: string): Record<string, string> {
  const names = {
    givenName: 'identity.givenName', displayName: 'identity.givenName + " " + identity.familyName',
    email: 'identity.email', title: 'identity.title', department: 'identity.department',
  };
  if (server.kind === 'ad') {
    // The employee id is short and unique: sAMAccountName stays within 20 characters.
    return { sAMAccountName: 'identity.employeeId', sn: 'identity.familyName', employeeID: 'identity.employeeId', ...names };
  }
  return { uid: usernameExpression, cn: 'identity.givenName + " " + identity.familyName', sn: 'identity.familyName', employeeNumber: 'identity.employeeId', ...names };
}

/**
 * `inFlight`: the executor's concurrency for the target (operations under way at once over the `connections`).
 * `posix`: ldap only, entries are also posixAccounts with allocated uidNumbers.
 */
export function ldapLoadConfig(server: DirectoryServer, connections: number, usernameExpression: string, inFlight = connections, posix = false): Record<string, unknown> {
  return {
    store: 'sqlite:./roster.db',
    server: { host: '127.0.0.1', port: 0 },
    lifecycle: { prehireLeadDays: 7, timezone: 'UTC' },
    sources: [SOURCE],
    targets: [{
      id: 'directory', type: server.kind, connection: connection(server, connections, posix), scope: 'true',
      accountKey: server.kind === 'ad' ? 'sAMAccountName' : 'uid',
      attributes: attributes(server, usernameExpression),
      safety: { maxDeletes: '5%', maxDisables: '10%', minAccounts: 10 },
      executor: { concurrency: inFlight, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 1000, quarantineAfter: 1000 },
    }],
    roles: [],
  };
}

/**
 * The same configuration with the directory replaced by an in-memory target
 * (same accounts, same attribute mapping, same executor settings): Roster's
 * own cost per person (HR file, plan, queue, audit, links) with no directory
 * behind it.
 */
export function memoryLoadConfig(server: DirectoryServer, connections: number, usernameExpression: string, inFlight = connections): Record<string, unknown> {
  const config = ldapLoadConfig(server, connections, usernameExpression, inFlight, false);
  const [target] = config.targets as Record<string, unknown>[];
  return { ...config, targets: [{ ...target, type: 'memory', connection: { key: target?.accountKey } }] };
}
