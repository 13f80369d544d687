import type { ConnectorFactory } from '../types.js';
import { tlsOptions, warnInsecureConnection } from '../directory/config.js';
import { ClientPool } from '../directory/pool.js';
import { AdConnector } from './ad-connector.js';
import type { AdConnectionConfig } from './config.js';

export { adConnectionSchema, type AdConnectionConfig } from './config.js';
export { AdConnector } from './ad-connector.js';
export { explainAdDiagnostic } from './ad-errors.js';
export { filetimeToIso, isoToFiletime } from './filetime.js';
export { guidToBytes, guidToString } from './guid.js';

/** Connectors for `type: ad` targets: Active Directory (or Samba as an AD DC) over LDAPS / StartTLS. */
export const adConnectorFactory: ConnectorFactory<AdConnectionConfig> = {
  kind: 'ad',
  create(config, context) {
    warnInsecureConnection(config, context.log, context.targetId);
    const pool = new ClientPool({
      url: config.url, bindDN: config.bindDN, password: config.password, startTLS: config.startTLS,
      tls: tlsOptions(config.tls, context.baseDir), size: config.poolSize, timeoutMs: config.timeoutMs, connectTimeoutMs: config.connectTimeoutMs,
    });
    return new AdConnector(pool, config, context);
  },
};
