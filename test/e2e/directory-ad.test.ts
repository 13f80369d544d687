import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';

let samba: RunningSamba;
let dir: string;
const connectors: AdConnector[] = [];

// Waits while another test file holds the one Samba (its LDAP ports are fixed): the AD conformance suite takes about two minutes.
beforeAll(async () => {
  samba = await startSamba();
  dir = mkdtempSync(join(tmpdir(), 'roster-ad-e2e-'));
}, 400_000);
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await samba?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function connect(connection: Record<string, unknown> = {}): AdConnector {
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU={department},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test', createOUs: true },
    groups: { base: `OU=Groups,${samba.rosterOU}`, names: true, create: true },
    ...connection,
  });
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: silentLogger }) as AdConnector;
  connectors.push(connector);
  return connector;
}

/** Add an entry with the ldapadd binary (the test's own hands, not the connector's). */
function ldapadd(ldif: string): void {
  const file = join(dir, `add-${Date.now()}.ldif`);
  writeFileSync(file, ldif);
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  const result = spawnSync('ldapadd', ['-H', samba.url, '-x', '-D', samba.bindDN, '-w', samba.password, '-f', file], {
    encoding: 'utf8', env: { ...process.env, LDAPTLS_CACERT: join(dir, 'ca.pem') },
  });
  if (result.status !== 0) throw new Error(`ldapadd failed: ${result.stderr}`);
}

describe('ad connector against Samba AD', () => {
  it('creates a user disabled with a password that must be changed, then enables it; UPN and accountExpires follow', async () => {
    const connector = connect();
    const account = await connector.create({
      attributes: { sAMAccountName: 'j.doe', givenName: 'Jane', sn: 'Doe', displayName: 'Jane Doe', email: 'jane@example.test', department: 'Sales', title: 'Rep', employeeID: 'E1001', accountExpires: '2030-06-30' },
      enabled: true,
    });
    expect(account.accountId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(account.enabled).toBe(true);
    expect(account.attributes).toMatchObject({ sAMAccountName: 'j.doe', userPrincipalName: 'j.doe@example.test', email: 'jane@example.test', accountExpires: '2030-06-30', department: 'Sales' });
    // The initial password is set and must be changed: a bind with any password is refused.
    const bind = spawnSync('ldapadd', ['-H', samba.url, '-x', '-D', 'j.doe@example.test', '-w', 'Wrong-Passw0rd!', '-f', '/dev/null'], { encoding: 'utf8', env: { ...process.env, LDAPTLS_CACERT: join(dir, 'ca.pem') } });
    expect(bind.status).not.toBe(0);
    await connector.update(account.accountId, { accountExpires: null });
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBeUndefined();
    await connector.setEnabled(account.accountId, false);
    expect((await connector.get(account.accountId))?.enabled).toBe(false);
  });

  it('a mover is moved to its new department OU and keeps its objectGUID and groups', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'm.ad', department: 'Sales' }, enabled: true });
    await connector.grant(account.accountId, 'sales');
    await connector.update(account.accountId, { department: 'Engineering' });
    const moved = await connector.get(account.accountId);
    expect(moved?.attributes.department).toBe('Engineering');
    expect(moved?.entitlements).toEqual(['sales']);
  });

  it('nested groups: entitlements are direct, effectiveGroups follows the chain', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'n.nested', department: 'Sales' }, enabled: true });
    await connector.grant(account.accountId, 'inner');
    const groups = `OU=Groups,${samba.rosterOU}`;
    ldapadd(`dn: CN=outer,${groups}\nobjectClass: group\ncn: outer\nmember: CN=inner,${groups}\n`);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['inner']);
    expect(await connector.effectiveGroups(account.accountId)).toEqual(['inner', 'outer']);
  });

  it('refuses a sAMAccountName over 20 characters and explains a taken one', async () => {
    const connector = connect();
    const long = await connector.create({ attributes: { sAMAccountName: 'a'.repeat(21), department: 'Sales' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(long, 'target.rejected')).toBe(true);
    await connector.create({ attributes: { sAMAccountName: 't.taken', department: 'Sales', employeeID: 'E1' }, enabled: true });
    const byEmployee = connect({ users: { key: 'employeeID', dn: `CN={employeeID},OU=People,${samba.rosterOU}` } });
    const taken = await byEmployee.create({ attributes: { employeeID: 'E2', sAMAccountName: 't.taken' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(taken, 'target.rejected') || isRosterError(taken, 'target.conflict')).toBe(true);
    expect((taken as Error).message).toMatch(/already taken/);
  });

  it('works over StartTLS on port 389 with the configured CA', async () => {
    const connector = connect({ url: 'ldap://127.0.0.1:389', startTLS: true });
    await connector.check();
    const account = await connector.create({ attributes: { sAMAccountName: 's.tls', department: 'Sales' }, enabled: true });
    expect(account.enabled).toBe(true);
  });

  it('refuses a server certificate it cannot verify (no CA given)', async () => {
    const connector = connect({ tls: undefined });
    const error = await connector.check().catch((e: unknown) => e);
    expect(isRosterError(error, 'target.unavailable')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });
});
