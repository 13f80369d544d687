import { Client } from 'ldapts';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { ldapConnectionSchema } from '../../src/connectors/ldap/config.js';
import { LdapConnector } from '../../src/connectors/ldap/ldap-connector.js';
import { HookPool } from './hook-pool.js';
import { startSlapd, type RunningSlapd, type SlapdOptions } from './slapd.js';

/** One test file's private slapd, an admin client bound to it, and the ldap connectors the file makes. */
export interface SlapdFixture {
  readonly slapd: RunningSlapd;
  readonly admin: Client;
  /**
   * An ldap connector (target `corp-ldap`) for `connection` (a connection
   * block without url and credentials, which come from this slapd), over a
   * HookPool of two connections whose writes a test can make fail; closed
   * after the file's tests.
   */
  hooked(connection: Record<string, unknown>): { readonly connector: LdapConnector; readonly pool: HookPool };
}

/** Start a slapd (random port) before the file's tests and stop it, its admin client and every connector made, after them. */
export function useSlapd(options: Omit<SlapdOptions, 'randomPort'> = {}): SlapdFixture {
  let slapd: RunningSlapd | undefined;
  let admin: Client | undefined;
  const connectors: LdapConnector[] = [];
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
  return {
    get slapd() {
      return started(slapd);
    },
    get admin() {
      return started(admin);
    },
    hooked(connection) {
      const { url, bindDN, password } = started(slapd);
      const config = ldapConnectionSchema.parse({ url, bindDN, password, ...connection });
      const pool = new HookPool({ url, bindDN, password, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
      const connector = new LdapConnector(pool, config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
      connectors.push(connector);
      return { connector, pool };
    },
  };
}
