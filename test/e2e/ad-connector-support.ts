import { expect } from 'vitest';
import { isRosterError, type RosterError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, type RunningSamba } from '../support/samba.js';

/**
 * What the connector-level AD e2e files share: an ad connector on the Samba
 * DC with users at CN={sAMAccountName},OU={department},OU=People (the OUs
 * made as needed) and groups by name under OU=Groups (made on the first
 * grant), and the RosterError a write fails with.
 */

/** A new connector, pushed onto `connectors` for the caller's afterAll to close. */
export function departmentConnector(samba: RunningSamba, connectors: AdConnector[]): AdConnector {
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU={department},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test', createOUs: true },
    groups: { base: `OU=Groups,${samba.rosterOU}`, names: true, create: true },
  });
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => {}) }) as AdConnector;
  connectors.push(connector);
  return connector;
}

/** The RosterError `promise` fails with (a success, or another error, fails the test). */
export async function rosterFailure(promise: Promise<unknown>): Promise<RosterError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(isRosterError(error)).toBe(true);
  return error as RosterError;
}
