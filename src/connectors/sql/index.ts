import type { ConnectorFactory } from '../types.js';
import type { SqlConnectionConfig } from './config.js';
import { openDatabase } from './database.js';
import { SqlConnector } from './sql-connector.js';

export { sqlConnectionSchema, type SqlConnectionConfig } from './config.js';
export { SqlConnector } from './sql-connector.js';

/** Connectors for `type: sql` targets: an application's user and membership tables. */
export const sqlConnectorFactory: ConnectorFactory<SqlConnectionConfig> = {
  kind: 'sql',
  create(config, context) {
    return new SqlConnector(openDatabase(config.url, context.baseDir), config, context);
  },
};
