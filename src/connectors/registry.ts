import type { ZodType } from 'zod';
import { RosterError } from '../core/errors.js';
import { adConnectionSchema, adConnectorFactory } from './ad/index.js';
import { ldapConnectionSchema, ldapConnectorFactory } from './ldap/index.js';
import { memoryConnectionSchema, memoryConnectorFactory } from './memory/index.js';
import { scimConnectionSchema, scimConnectorFactory } from './scim/index.js';
import { sqlConnectionSchema, sqlConnectorFactory } from './sql/index.js';
import type { Connector, ConnectorContext, ConnectorFactory } from './types.js';

/** Every connector kind, by the `type:` of a target. */
export const connectorFactories: Readonly<Record<string, ConnectorFactory>> = Object.freeze({
  memory: memoryConnectorFactory as ConnectorFactory,
  sql: sqlConnectorFactory as ConnectorFactory,
  ldap: ldapConnectorFactory as ConnectorFactory,
  ad: adConnectorFactory as ConnectorFactory,
  scim: scimConnectorFactory as ConnectorFactory,
});

/** The zod schema of each kind's `connection:` block (the config loader validates with these). */
export const connectionSchemas: Readonly<Record<string, ZodType>> = Object.freeze({
  memory: memoryConnectionSchema,
  sql: sqlConnectionSchema,
  ldap: ldapConnectionSchema,
  ad: adConnectionSchema,
  scim: scimConnectionSchema,
});

export interface ConnectorTarget {
  readonly id: string;
  readonly type: string;
  readonly connection: Readonly<Record<string, unknown>>;
  /** The target's account key attribute: the memory connector uses it when its connection names no `key`. */
  readonly accountKey?: string;
}

/** Validate a target's connection block with its kind's schema and make its connector. */
export function createConnector(target: ConnectorTarget, context: ConnectorContext): Connector {
  const factory = connectorFactories[target.type];
  const schema = connectionSchemas[target.type];
  if (factory === undefined || schema === undefined) {
    throw new RosterError('config.invalid', `target ${target.id}: unknown type ${target.type} (known: ${Object.keys(connectorFactories).join(', ')})`);
  }
  const connection = target.type === 'memory' && target.accountKey !== undefined && target.connection.key === undefined
    ? { ...target.connection, key: target.accountKey }
    : target.connection;
  const parsed = schema.safeParse(connection);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${['connection', ...issue.path.map(String)].join('.')}: ${issue.message}`);
    throw new RosterError('config.invalid', `target ${target.id}: ${problems.join('; ')}`, { details: { issues: problems } });
  }
  return factory.create(parsed.data, context);
}
