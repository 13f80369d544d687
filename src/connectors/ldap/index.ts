import type { ConnectorFactory } from '../types.js';
import { tlsOptions, warnInsecureConnection } from '../directory/config.js';
import { ClientPool } from '../directory/pool.js';
import type { LdapConnectionConfig } from './config.js';
import { LdapConnector } from './ldap-connector.js';

export { ldapConnectionSchema, type LdapConnectionConfig } from './config.js';
export { LdapConnector } from './ldap-connector.js';

/** Connectors for `type: ldap` targets: OpenLDAP and other LDAPv3 directories. */
export const ldapConnectorFactory: ConnectorFactory<LdapConnectionConfig> = {
  kind: 'ldap',
  create(config, context) {
    warnInsecureConnection(config, context.log, context.targetId);
    const pool = new ClientPool({
      url: config.url, bindDN: config.bindDN, password: config.password, startTLS: config.startTLS,
      tls: tlsOptions(config.tls, context.baseDir), size: config.poolSize, timeoutMs: config.timeoutMs, connectTimeoutMs: config.connectTimeoutMs,
    });
    return new LdapConnector(pool, config, context);
  },
};
