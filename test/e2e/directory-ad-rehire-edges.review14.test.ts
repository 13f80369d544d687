/**
 * review14 (adversarial): a rehire's enable against a real Samba AD DC, at
 * the connector: passwordOnEnable keep, a password the domain refuses, a
 * retry of an enable that was applied, and a move back to the template DN
 * that another object holds.
 */
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRosterError, type RosterError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient } from './directory-config.js';
import { adBind, choosePassword } from './ad-rehire-world.js';

/** Every initial password generated; `weak.next` makes the next ones a password the domain refuses. */
const issued = vi.hoisted(() => ({ all: [] as string[], weak: { on: false } }));
vi.mock('../../src/connectors/ad/password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/connectors/ad/password.js')>();
  return {
    ...actual,
    initialPassword: (...args: Parameters<typeof actual.initialPassword>) => {
      const password = issued.weak.on ? `weakzq${issued.all.length}` : actual.initialPassword(...args);
      issued.all.push(password);
      return password;
    },
  };
});

let samba: RunningSamba;
let admin: Client;
const connectors: AdConnector[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  samba = await startSamba();
  admin = await adminClient(samba);
}, 400_000);
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await admin?.unbind();
  await samba?.stop();
});

function connect(users: Record<string, unknown> = {}): AdConnector {
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test', ...users },
  });
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('debug', (line) => logLines.push(line)) }) as AdConnector;
  connectors.push(connector);
  return connector;
}

async function user(sam: string): Promise<Record<string, unknown>> {
  const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter: `(sAMAccountName=${sam})`, attributes: ['userAccountControl', 'pwdLastSet'] });
  expect(searchEntries).toHaveLength(1);
  return searchEntries[0]!;
}

/** '' when the bind succeeds, else AD's data code (52e: wrong password, 533: disabled, 773: must change). */
const bind = (dn: string, password: string): Promise<string> => adBind(samba, dn, password, '');
const chooses = (dn: string, password: string): Promise<void> => choosePassword(admin, dn, password);

/** A leaver: created enabled, a password of their own, then disabled. */
async function leaver(connector: AdConnector, sam: string, own: string): Promise<{ id: string; dn: string }> {
  const created = await connector.create({ attributes: { sAMAccountName: sam, employeeID: `R14-${sam}`, displayName: sam }, enabled: true });
  const dn = String((await user(sam)).dn);
  await chooses(dn, own);
  expect(await bind(dn, own)).toBe('');
  await connector.setEnabled(created.accountId, false);
  return { id: created.accountId, dn };
}

async function failure(promise: Promise<unknown>): Promise<RosterError> {
  try {
    await promise;
  } catch (error) {
    if (isRosterError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('review14: AD rehire edges against Samba', () => {
  it('passwordOnEnable: keep enables a rehire with the password it had', async () => {
    const connector = connect({ passwordOnEnable: 'keep' });
    const own = 'Own-Keep-Passw0rd-1!';
    const { id, dn } = await leaver(connector, 'rk.keep', own);
    const before = issued.all.length;
    await expect(connector.setEnabled(id, true, {}, { reason: 'rehire' })).resolves.toEqual({});
    expect(issued.all.length).toBe(before);
    expect((await user('rk.keep')).userAccountControl).toBe('512');
    expect(await bind(dn, own)).toBe('');
  });

  it('a password the domain refuses leaves the rehire disabled, with no value in the error or the log; the retry enables it', async () => {
    const connector = connect();
    const own = 'Own-Refused-Passw0rd-2!';
    const { id, dn } = await leaver(connector, 'rk.refused', own);
    const before = issued.all.length;
    issued.weak.on = true;
    let error: RosterError;
    try {
      error = await failure(connector.setEnabled(id, true, {}, { reason: 'rehire' }));
    } finally {
      issued.weak.on = false;
    }
    const weak = issued.all.slice(before);
    expect(weak.length).toBe(2); // the policy read again, one more try
    expect((await user('rk.refused')).userAccountControl).toBe('514');
    const shown = JSON.stringify({ message: error.message, details: error.details, cause: String(error.cause) }) + logLines.join('\n');
    for (const password of weak) {
      expect(shown).not.toContain(password);
      expect(shown).not.toContain(Buffer.from(`"${password}"`, 'utf16le').toString('base64'));
    }
    await expect(connector.setEnabled(id, true, {}, { reason: 'rehire' })).resolves.toEqual({ newPassword: true });
    expect((await user('rk.refused')).userAccountControl).toBe('512');
    expect(await bind(dn, own)).toBe('52e');
  });

  it('an enable retried after it was applied (its answer lost) sets no second password', async () => {
    const connector = connect();
    const { id, dn } = await leaver(connector, 'rk.retry', 'Own-Retry-Passw0rd-3!');
    const before = issued.all.length;
    await connector.setEnabled(id, true, {}, { reason: 'rehire' });
    const first = issued.all.slice(before);
    expect(first).toHaveLength(1);
    await expect(connector.setEnabled(id, true, {}, { reason: 'rehire' })).resolves.toEqual({});
    expect(issued.all.length).toBe(before + 1);
    expect(await bind(dn, first[0]!)).toBe('773');
  });

  it('a rehire moved to a Disabled OU whose template DN another object holds now: enabled where it is, with a new password, not kept out', async () => {
    const connector = connect();
    const own = 'Own-Clash-Passw0rd-4!';
    const { id, dn } = await leaver(connector, 'rk.clash', own);
    await admin.add(`OU=Disabled Users,${samba.rosterOU}`, { objectClass: ['top', 'organizationalUnit'], ou: 'Disabled Users' }).catch(() => undefined);
    const parked = `CN=rk.clash,OU=Disabled Users,${samba.rosterOU}`;
    await admin.modifyDN(dn, parked);
    // Meanwhile an administrator made a contact with the same name where users.dn places the account.
    await admin.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'contact'], cn: 'rk.clash' });
    const before = issued.all.length;
    await expect(connector.setEnabled(id, true, { sAMAccountName: 'rk.clash' }, { reason: 'rehire' })).resolves.toEqual({ newPassword: true });
    // Enabled where the administrator put it (the name is taken), with a new password; the old one no longer works.
    const now = await user('rk.clash');
    expect(now.dn).toBe(parked);
    expect(now.userAccountControl).toBe('512');
    expect(await bind(parked, own)).toBe('52e');
    expect(await bind(parked, issued.all[before]!)).toBe('773');
    expect(logLines.some((line) => line.includes('another object holds the name'))).toBe(true);
  });
});
