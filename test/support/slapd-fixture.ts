import { Client } from 'ldapts';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../../src/connectors/ldap/index.js';
import { LdapConnector } from '../../src/connectors/ldap/ldap-connector.js';
import type { Connector, ConnectorContext } from '../../src/connectors/types.js';
import { HookPool } from './hook-pool.js';
import { startSlapd, type RunningSlapd, type SlapdOptions } from './slapd.js';

/** One test file's private slapd, an admin client bound to it, and the ldap connectors the file makes. */
export interface SlapdFixture {
  readonly slapd: RunningSlapd;
  readonly admin: Client;
  /**
   * An ldap connector (target `corp-ldap`) for `connection` (a connection
   * block whose url and credentials, unless it gives them, are this slapd's),
   * built as Roster builds one, with `context` over the defaults; closed
   * after the file's tests.
   */
  connect(connection: Record<string, unknown>, context?: Partial<ConnectorContext>): Connector;
  /**
   * An ldap connector (target `corp-ldap`) for `connection` (a connection
   * block without url and credentials, which come from this slapd), over a
   * HookPool of two connections whose writes a test can make fail; closed
   * after the file's tests.
   */
  hooked(connection: Record<string, unknown>): { readonly connector: LdapConnector; readonly pool: HookPool };
  /** The values of one attribute of a group under ou=groups, sorted (DNs lower-cased, memberUid as it is). */
  members(cn: string, attribute: string): Promise<string[]>;
  /** Close `connector` after the file's tests (one the test built itself). */
  closeAfter<T extends { close(): Promise<void> }>(connector: T): T;
}

/** Start a slapd (random port) before the file's tests and stop it, its admin client and every connector made, after them. */
export function useSlapd(options: Omit<SlapdOptions, 'randomPort'> = {}): SlapdFixture {
  let slapd: RunningSlapd | undefined;
  let admin: Client | undefined;
  const connectors: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    slapd = await startSlapd({ ...options, randomPort: true });
    admin = new Client({ url: slapd.url });
    await admin.bind(slapd.bindDN, slapd.password);
  });
  afterAll(async () => {
    await Promise.all(connectors.map((c) => c.close()));
    await admin?.unbind();
    await slapd?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the slapd fixture is used before its beforeAll ran');
    return value;
  };
  const closeAfter = <T extends { close(): Promise<void> }>(connector: T): T => {
    connectors.push(connector);
    return connector;
  };
  return {
    get slapd() {
      return started(slapd);
    },
    get admin() {
      return started(admin);
    },
    connect(connection, context = {}) {
      const { url, bindDN, password } = started(slapd);
      const config = ldapConnectionSchema.parse({ url, bindDN, password, ...connection });
      return closeAfter(ldapConnectorFactory.create(config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger, ...context }));
    },
    hooked(connection) {
      const { url, bindDN, password } = started(slapd);
      const config = ldapConnectionSchema.parse({ url, bindDN, password, ...connection });
      const pool = new HookPool({ url, bindDN, password, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
      const connector = closeAfter(new LdapConnector(pool, config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger }));
      return { connector, pool };
    },
    async members(cn, attribute) {
      const { searchEntries } = await started(admin).search(`cn=${cn},ou=groups,${started(slapd).suffix}`, { scope: 'base', attributes: [attribute] });
      const raw = searchEntries[0]?.[attribute] ?? [];
      return (Array.isArray(raw) ? raw : [raw]).map((v) => (attribute === 'memberUid' ? String(v) : String(v).toLowerCase())).sort();
    },
    closeAfter,
  };
}

/** What a test changes of the connection peopleTarget builds: `users` and `groups` keys over its own, or another `disable`. */
export interface TargetOverrides {
  readonly users?: Record<string, unknown>;
  readonly groups?: Record<string, unknown>;
  readonly disable?: Record<string, unknown>;
}

/**
 * The target connection (without url and credentials) the ldap connector
 * tests start from: accounts `uid={uid},ou=people` keyed by uid, mail and
 * departmentNumber mapped, cn and sn defaulting to the uid; groups by name
 * under ou=groups, created on demand; a leaver moved to ou=disabled.
 */
export function peopleTarget(suffix: string, overrides: TargetOverrides = {}): Record<string, unknown> {
  return {
    users: {
      base: suffix, dn: `uid={uid},ou=people,${suffix}`, key: 'uid', attributes: { email: 'mail', department: 'departmentNumber' },
      defaults: { cn: '{uid}', sn: '{uid}' }, ...overrides.users,
    },
    groups: { base: `ou=groups,${suffix}`, names: true, create: true, ...overrides.groups },
    disable: overrides.disable ?? { strategy: 'move', ou: `ou=disabled,${suffix}` },
  };
}
