/**
 * review19: a fine-grained password policy (a PSO) asking for a longer
 * password than the domain's minPwdLength, against a real Samba AD DC. The
 * bind account reads only the domain's policy; before the fix every retry
 * of a rehire's enable generated a password of the same length and was
 * refused the same way, so the person never got their account back.
 */
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient } from './directory-config.js';

/** Every initial password the connector generates: looked for in the log. */
const issued = vi.hoisted(() => [] as string[]);
vi.mock('../../src/connectors/ad/password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/connectors/ad/password.js')>();
  return {
    ...actual,
    initialPassword: (...args: Parameters<typeof actual.initialPassword>) => {
      const password = actual.initialPassword(...args);
      issued.push(password);
      return password;
    },
  };
});

let samba: RunningSamba;
let admin: Client;
let connector: AdConnector;
const logLines: string[] = [];
const PSO_MIN = 40;

function psoDn(): string {
  return `CN=Roster Review19 Strict,CN=Password Settings Container,CN=System,${samba.baseDN}`;
}

beforeAll(async () => {
  samba = await startSamba();
  admin = await adminClient(samba);
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test' },
  });
  connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('debug', (line) => logLines.push(line)) }) as AdConnector;
  // What `samba-tool domain passwordsettings pso create` makes: 40 characters at least, complexity on.
  const ticks = (days: number) => String(-days * 86_400 * 10_000_000);
  await admin.add(psoDn(), {
    objectClass: ['msDS-PasswordSettings'],
    'msDS-PasswordSettingsPrecedence': '1',
    'msDS-PasswordReversibleEncryptionEnabled': 'FALSE',
    'msDS-PasswordHistoryLength': '24',
    'msDS-PasswordComplexityEnabled': 'TRUE',
    'msDS-MinimumPasswordLength': String(PSO_MIN),
    'msDS-MinimumPasswordAge': '0',
    'msDS-MaximumPasswordAge': ticks(42),
    'msDS-LockoutThreshold': '0',
    'msDS-LockoutObservationWindow': String(-30 * 60 * 10_000_000),
    'msDS-LockoutDuration': String(-30 * 60 * 10_000_000),
  });
}, 400_000);
afterAll(async () => {
  await admin?.del(psoDn()).catch(() => undefined);
  await connector?.close();
  await admin?.unbind();
  await samba?.stop();
});

async function read(dn: string): Promise<Record<string, unknown>> {
  const { searchEntries } = await admin.search(dn, { scope: 'base', attributes: ['userAccountControl', 'pwdLastSet', 'msDS-ResultantPSO'] });
  return searchEntries[0] ?? {};
}

it('a rehire whose account a PSO (longer than minPwdLength) applies to is enabled with a password that policy takes, must change at next logon', async () => {
  const attributes = { sAMAccountName: 'pso.rehire', employeeID: 'R19-PSO-1', displayName: 'Pso Rehire' };
  const created = await connector.create({ attributes, enabled: true });
  const dn = `CN=pso.rehire,OU=People,${samba.rosterOU}`;
  await connector.setEnabled(created.accountId, false);
  // The admin puts the leaver (or a group of theirs) under the strict PSO meanwhile.
  await admin.modify(psoDn(), new Change({ operation: 'add', modification: new Attribute({ type: 'msDS-PSOAppliesTo', values: [dn] }) }));
  expect(String((await read(dn))['msDS-ResultantPSO'])).toMatch(/Roster Review19 Strict/);
  issued.length = 0;

  const result = await connector.setEnabled(created.accountId, true, attributes, { reason: 'rehire' });

  expect(result).toEqual({ newPassword: true });
  const entry = await read(dn);
  expect(Number(entry.userAccountControl) & 0x2).toBe(0);
  expect(entry.pwdLastSet).toBe('0');
  // The one that was taken is at least as long as the PSO asks; the first, refused one was not.
  const last = issued.at(-1) ?? '';
  expect(last.length).toBeGreaterThanOrEqual(PSO_MIN);
  expect(issued.length).toBe(2);
  for (const password of issued) expect(logLines.join('\n')).not.toContain(password);
  expect((await connector.get(created.accountId))?.enabled).toBe(true);
}, 60_000);

it('an account an admin made without a password, under a PSO, adopted by a create, is enabled with a password that PSO takes', async () => {
  // An account an admin made without a password (PASSWD_NOTREQD, pwdLastSet 0), under the PSO: adopted by a create.
  const dn = `CN=pso.bare,OU=People,${samba.rosterOU}`;
  await admin.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'pso.bare', employeeID: 'R19-PSO-2', userAccountControl: String(0x200 | 0x20 | 0x2) });
  await admin.modify(psoDn(), new Change({ operation: 'add', modification: new Attribute({ type: 'msDS-PSOAppliesTo', values: [dn] }) }));
  issued.length = 0;

  const account = await connector.create({ attributes: { sAMAccountName: 'pso.bare', employeeID: 'R19-PSO-2' }, enabled: true });

  expect(account.enabled).toBe(true);
  const entry = await read(dn);
  expect(Number(entry.userAccountControl) & (0x2 | 0x20)).toBe(0);
  expect(entry.pwdLastSet).toBe('0');
  expect((issued.at(-1) ?? '').length).toBeGreaterThanOrEqual(PSO_MIN);
}, 60_000);
