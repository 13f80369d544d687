import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient } from './directory-config.js';

/** Every initial password the connector generates, in order: the test's own record, to look for them where they must not be. */
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

/** userAccountControl flags (MS-ADTS 2.2.16), spelled out here rather than taken from the connector under test. */
const ACCOUNTDISABLE = 0x2;
const PASSWD_NOTREQD = 0x20;
const NORMAL_ACCOUNT = 0x200;

let samba: RunningSamba;
let dir: string;
let admin: Client;
const connectors: AdConnector[] = [];
/** Every line any connector of this file logged, at debug level. */
const logLines: string[] = [];

// Waits while another test file holds the one Samba (its LDAP ports are fixed): the AD conformance suite takes about two minutes.
beforeAll(async () => {
  samba = await startSamba();
  dir = mkdtempSync(join(tmpdir(), 'roster-ad-e2e-'));
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  admin = await adminClient(samba);
}, 400_000);
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await admin?.unbind();
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
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('debug', (line) => logLines.push(line)) }) as AdConnector;
  connectors.push(connector);
  return connector;
}

/** Add an entry with the ldapadd binary (the test's own hands, not the connector's). */
function ldapadd(ldif: string): void {
  const file = join(dir, `add-${Date.now()}.ldif`);
  writeFileSync(file, ldif);
  const result = spawnSync('ldapadd', ['-H', samba.url, '-x', '-D', samba.bindDN, '-w', samba.password, '-f', file], {
    encoding: 'utf8', env: { ...process.env, LDAPTLS_CACERT: join(dir, 'ca.pem') },
  });
  if (result.status !== 0) throw new Error(`ldapadd failed: ${result.stderr}`);
}

/** One user below the Roster OU, as the administrator reads it. */
async function read(filter: string, attributes: string[]): Promise<Record<string, unknown>> {
  const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter, attributes });
  expect(searchEntries).toHaveLength(1);
  return searchEntries[0]!;
}

/** The message a simple bind fails with, or '' when it succeeds. */
async function bindError(user: string, password: string): Promise<string> {
  const client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  try {
    await client.bind(user, password);
    return '';
  } catch (error) {
    return String(error);
  } finally {
    await client.unbind();
  }
}

describe('ad connector against Samba AD', () => {
  it('creates a user enabled, with a password that must be changed, in one add; UPN and accountExpires follow', async () => {
    const connector = connect();
    const account = await connector.create({
      attributes: { sAMAccountName: 'j.doe', givenName: 'Jane', sn: 'Doe', displayName: 'Jane Doe', email: 'jane@example.test', department: 'Sales', title: 'Rep', employeeID: 'E1001', accountExpires: '2030-06-30' },
      enabled: true,
    });
    expect(account.accountId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(account.enabled).toBe(true);
    expect(account.attributes).toMatchObject({ sAMAccountName: 'j.doe', userPrincipalName: 'j.doe@example.test', email: 'jane@example.test', accountExpires: '2030-06-30', department: 'Sales' });
    // Must change at next logon; a password is required and was set: AD enables an account without
    // PASSWD_NOTREQD only when it holds a password that meets the policy.
    const user = await read(`(sAMAccountName=j.doe)`, ['pwdLastSet', 'userAccountControl']);
    expect(user.pwdLastSet).toBe('0');
    const uac = Number(user.userAccountControl);
    expect(uac & PASSWD_NOTREQD).toBe(0);
    expect(uac & ACCOUNTDISABLE).toBe(0);
    expect(uac & NORMAL_ACCOUNT).toBe(NORMAL_ACCOUNT);
    // The password is the one generated: a bind with it is refused only because it must be changed (data 773), a wrong one as wrong (52e).
    const password = issued.at(-1) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(await bindError('j.doe@example.test', password)).toMatch(/data 773/);
    expect(await bindError('j.doe@example.test', `${password}x`)).toMatch(/data 52e/);
    // It is in no log line (the connector did log: the policy it read).
    expect(logLines.join('\n')).toContain('initial password length');
    for (const line of logLines) expect(line).not.toContain(password);
    await connector.update(account.accountId, { accountExpires: null });
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBeUndefined();
    await connector.setEnabled(account.accountId, false);
    expect((await connector.get(account.accountId))?.enabled).toBe(false);
  });

  it('creates a user disabled (a future joiner) in the same one add, with its password; enabling it later is one write', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'f.joiner', department: 'Sales' }, enabled: false });
    expect(account.enabled).toBe(false);
    const user = await read('(sAMAccountName=f.joiner)', ['pwdLastSet', 'userAccountControl']);
    expect(Number(user.userAccountControl) & (ACCOUNTDISABLE | NORMAL_ACCOUNT | PASSWD_NOTREQD)).toBe(ACCOUNTDISABLE | NORMAL_ACCOUNT);
    expect(user.pwdLastSet).toBe('0');
    await connector.setEnabled(account.accountId, true);
    expect(Number((await read('(sAMAccountName=f.joiner)', ['userAccountControl'])).userAccountControl) & ACCOUNTDISABLE).toBe(0);
    expect((await connector.get(account.accountId))?.enabled).toBe(true);
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

  it('nested groups: entitlements are direct, effectiveEntitlements follows the chain', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'n.nested', department: 'Sales' }, enabled: true });
    await connector.grant(account.accountId, 'inner');
    const groups = `OU=Groups,${samba.rosterOU}`;
    ldapadd(`dn: CN=outer,${groups}\nobjectClass: group\ncn: outer\nmember: CN=inner,${groups}\n`);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['inner']);
    // And through its primary group, Domain Users, which is in BUILTIN\Users (test/e2e/directory-ad-primary-group.test.ts).
    expect(await connector.effectiveEntitlements(account.accountId))
      .toEqual(['CN=Domain Users,CN=Users,DC=example,DC=test', 'CN=Users,CN=Builtin,DC=example,DC=test', 'inner', 'outer']);
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

  it('a sAMAccountName held elsewhere in the domain (CN=Users) is refused as a conflict naming that account', async () => {
    const elsewhere = `CN=c.clash,CN=Users,${samba.baseDN}`;
    await admin.add(elsewhere, [new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: ['c.clash'] })]);
    const error = await connect().create({ attributes: { sAMAccountName: 'c.clash', department: 'Sales' }, enabled: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
    expect((error as Error).message).toContain(`sAMAccountName c.clash or userPrincipalName c.clash@example.test is already taken by ${elsewhere}, outside ${samba.rosterOU} where Roster does not look`);
  });

  it('a key two users hold is a conflict naming both, never one of them picked', async () => {
    const people = `OU=People,${samba.rosterOU}`;
    for (const [cn, sam] of [['Dup One', 'dup.one'], ['Dup Two', 'dup.two']]) {
      await admin.add(`CN=${cn},${people}`, [
        new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: [sam ?? ''] }), new Attribute({ type: 'employeeID', values: ['E-DUP'] }),
      ]);
    }
    const byEmployee = connect({ users: { key: 'employeeID', dn: `CN={employeeID},${people}` } });
    const error = await byEmployee.create({ attributes: { employeeID: 'E-DUP', sAMAccountName: 'dup.three' }, enabled: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
    expect((error as Error).message).toMatch(/employeeID E-DUP is held by more than one user/);
    for (const cn of ['Dup One', 'Dup Two']) expect((error as Error).message).toContain(`CN=${cn},${people}`);
    const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter: '(employeeID=E-DUP)', attributes: ['1.1'] });
    expect(searchEntries).toHaveLength(2);
  });

  it('reports only the groups below groups.base; a grant of any other group is refused, a revoke is a no-op, and neither changes it', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'g.outside', department: 'Sales' }, enabled: true });
    await connector.grant(account.accountId, 'staff');
    const user = await read('(sAMAccountName=g.outside)', ['1.1']);
    const vpn = `CN=VPN Users,CN=Users,${samba.baseDN}`;
    await admin.add(vpn, [new Attribute({ type: 'objectClass', values: ['group'] }), new Attribute({ type: 'member', values: [String(user.dn)] })]);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['staff']);
    const listed = [];
    for await (const a of connector.list()) if (a.accountId === account.accountId) listed.push(a);
    expect(listed.map((a) => a.entitlements)).toEqual([['staff']]);
    const error = await connector.grant(account.accountId, vpn).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.rejected', retryable: false });
    expect((error as Error).message).toMatch(/outside the groups base/);
    // An old link may still list the group: its revoke succeeds (so the link drops it) and leaves the membership alone.
    await expect(connector.revoke(account.accountId, vpn)).resolves.toBeUndefined();
    expect((await read('(sAMAccountName=g.outside)', ['memberOf'])).memberOf).toEqual(expect.arrayContaining([vpn]));
  });

  it('makes initial passwords as long as the domain policy asks (minPwdLength), so the account is enabled', async () => {
    const setMinimum = (length: number) => admin.modify(samba.baseDN, new Change({ operation: 'replace', modification: new Attribute({ type: 'minPwdLength', values: [String(length)] }) }));
    await setMinimum(40);
    try {
      // The policy is real: AD refuses a 24-character password now.
      const short = await admin.add(`CN=p.short,OU=People,${samba.rosterOU}`, [
        new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: ['p.short'] }),
        new Attribute({ type: 'unicodePwd', values: [Buffer.from('"Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!"', 'utf16le')] }),
      ]).catch((e: unknown) => e);
      expect(String(short)).toMatch(/password|constraint|0000052D/i);
      const account = await connect().create({ attributes: { sAMAccountName: 'p.long', department: 'Sales' }, enabled: true });
      expect(issued.at(-1)).toHaveLength(40);
      expect(account.enabled).toBe(true);
      const uac = Number((await read('(sAMAccountName=p.long)', ['userAccountControl'])).userAccountControl);
      expect(uac & (PASSWD_NOTREQD | ACCOUNTDISABLE)).toBe(0);
    } finally {
      await setMinimum(7);
    }
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
