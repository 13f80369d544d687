import { spawnSync } from 'node:child_process';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLdapMitm, type LdapMitm } from '../../../test/support/ldap-mitm.js';
import { startSamba, type RunningSamba } from '../../../test/support/samba.js';
import { createLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { adConnectionSchema, adConnectorFactory } from './index.js';
import { unicodePwd } from './password.js';

/**
 * Review 21, against Samba with a delegated bind account: a memberOf it may
 * not read (Samba answers the attribute with no values), a move retried after
 * the connection dropped once the server had applied it, and a rehire's
 * enable without "Reset Password".
 */
const SAM = '/tmp/roster-samba/run/private/sam.ldb';
const CONF = '/tmp/roster-samba/run/etc/smb.conf';
/** schemaIDGUIDs of memberOf and userAccountControl, the rightsGuid of Reset Password (User-Force-Change-Password), the same in every forest. */
const MEMBER_OF = 'bf967991-0de6-11d0-a285-00aa003049e2';
const RESET_PASSWORD = '00299570-246d-11d0-a768-00aa006e0529';
const UAC = 'bf967a68-0de6-11d0-a285-00aa003049e2';

describe('review21: ad target against Samba, robustness', () => {
  let samba: RunningSamba;
  let admin: Client;
  let people = '';
  let groupsOu = '';
  let sid = '';
  const connectors: Connector[] = [];
  const proxies: LdapMitm[] = [];
  const svc = () => `CN=svc-r21b,CN=Users,${samba.baseDN}`;
  const password = 'Svc-R21b-Passw0rd-!x';

  const dsacl = (dn: string, sddl: string) => {
    const run = spawnSync('samba-tool', ['dsacl', 'set', '-H', SAM, '-s', CONF, '--objectdn', dn, '--sddl', sddl], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  };
  function connector(options: { url?: string; users?: Record<string, unknown> } = {}): Connector {
    const config = adConnectionSchema.parse({
      url: options.url ?? samba.url, bindDN: svc(), password, tls: { ca: samba.ca }, base: samba.rosterOU, poolSize: 1,
      users: { dn: `CN={sAMAccountName},OU={department},${people}`, createOUs: true, ...options.users },
      groups: { base: groupsOu, names: true, create: true },
    });
    const made = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => undefined), attributes: ['sAMAccountName', 'department', 'sn'] });
    connectors.push(made);
    return made;
  }
  async function user(sam: string): Promise<{ dn: string; uac: number; memberOf: string[] } | undefined> {
    const { searchEntries: [entry] } = await admin.search(samba.rosterOU, { scope: 'sub', filter: `(sAMAccountName=${sam})`, attributes: ['userAccountControl', 'memberOf', 'pwdLastSet'] });
    if (entry === undefined) return undefined;
    const memberOf = entry.memberOf === undefined ? [] : (Array.isArray(entry.memberOf) ? entry.memberOf : [entry.memberOf]).map((dn) => String(dn).split(',')[0]?.slice(3) ?? '').sort();
    return { dn: entry.dn, uac: Number(entry.userAccountControl), memberOf };
  }

  beforeAll(async () => {
    samba = await startSamba();
    admin = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
    await admin.bind(samba.bindDN, samba.password);
    people = `OU=People,${samba.rosterOU}`;
    groupsOu = `OU=Groups,${samba.rosterOU}`;
    await admin.add(svc(), [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }), new Attribute({ type: 'sAMAccountName', values: ['svc-r21b'] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }), new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
    ]);
    const { searchEntries: [account] } = await admin.search(svc(), { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const raw = account?.objectSid as Buffer;
    sid = `S-${raw[0]}-${raw.readUIntBE(2, 6)}-${Array.from({ length: raw[1] ?? 0 }, (_, i) => raw.readUInt32LE(8 + 4 * i)).join('-')}`;
    // Everything on the Roster OU and below: read, write, create and delete children, delete, control access (Reset Password), tree delete.
    dsacl(samba.rosterOU, `(A;CI;RPWPCRCCDCLCSWSDLORCDT;;;${sid})`);
  }, 400_000);
  afterAll(async () => {
    for (const made of connectors) await made.close();
    for (const proxy of proxies) await proxy.close();
    await admin?.unbind().catch(() => undefined);
    await samba?.stop();
  });

  it('a memberOf the bind account may not read (Samba: the attribute with no values) is refused naming "Read memberOf", never read as no groups', async () => {
    const ad = connector();
    const member = await ad.create({ attributes: { sAMAccountName: 'r21m1', department: 'Engineering', sn: 'M1' }, enabled: true });
    await ad.grant(member.accountId, 'Engineering');
    const none = await ad.create({ attributes: { sAMAccountName: 'r21m2', department: 'Engineering', sn: 'M2' }, enabled: true });
    expect((await ad.get(member.accountId))?.entitlements).toEqual(['Engineering']);
    const dn = (await user('r21m1'))?.dn ?? '';
    dsacl(dn, `(OD;;RP;${MEMBER_OF};;${sid})`);

    const refusal = `the directory returned ${dn} without its memberOf while a group under groups.base lists it in member: the bind account may not read it`;
    await expect(ad.get(member.accountId)).rejects.toMatchObject({ code: 'target.rejected', message: expect.stringContaining(refusal) });
    await expect(ad.get(member.accountId)).rejects.toThrow('delegate "Read memberOf" (Read property) there to it');
    // A reconcile's read fails rather than record the account as in no group (its grants sent again, a mover's old groups kept).
    await expect((async () => { for await (const _ of ad.list()) { /* read all */ } })()).rejects.toThrow(refusal);
    // A user really in no group (no memberOf at all, no group lists it) still reads as such.
    expect((await ad.get(none.accountId))?.entitlements).toEqual([]);
    expect((await user('r21m1'))?.memberOf).toEqual(['Engineering']);
  }, 120_000);

  it('a move whose reply was lost with the connection: the pool sends it again, the user is already there, and the move is done', async () => {
    const ad = connector();
    const account = await ad.create({ attributes: { sAMAccountName: 'r21v1', department: 'Engineering', sn: 'V1' }, enabled: true });
    await admin.add(`OU=Sales,${people}`, { objectClass: ['top', 'organizationalUnit'] }).catch((e: unknown) => expect((e as { code?: number }).code).toBe(68));
    const proxy = await startLdapMitm(636);
    proxies.push(proxy);
    for (const createOUs of [true, false]) {
      const through = connector({ url: `ldaps://127.0.0.1:${proxy.port}`, users: { createOUs } });
      const department = createOUs ? 'Sales' : 'Engineering';
      expect((await through.get(account.accountId))?.attributes.department).toBe(createOUs ? 'Engineering' : 'Sales');
      const connections = proxy.sent.length;
      // The search for the user, then the modify DN: the server applies it, its reply is lost, the connection cut.
      proxy.loseReplyTo(2);
      await through.update(account.accountId, { sAMAccountName: 'r21v1', department });
      expect(proxy.sent.length).toBe(connections + 1);
      expect(await user('r21v1')).toMatchObject({ dn: `CN=r21v1,OU=${department},${people}` });
      expect((await ad.get(account.accountId))?.attributes.department).toBe(department);
    }
  }, 120_000);

  it('a rehire\'s enable refused names the right actually missing, "Reset Password" or "Write userAccountControl", and leaves the account disabled with its password', async () => {
    const ad = connector();
    const attributes = (sam: string) => ({ sAMAccountName: sam, department: 'Engineering', sn: sam });
    const noReset = await ad.create({ attributes: attributes('r21p1'), enabled: false });
    const noUac = await ad.create({ attributes: attributes('r21p2'), enabled: false });
    const pwdLastSet = async (sam: string) => String((await admin.search(samba.rosterOU, { scope: 'sub', filter: `(sAMAccountName=${sam})`, attributes: ['pwdLastSet'] })).searchEntries[0]?.pwdLastSet);
    const before = { r21p1: await pwdLastSet('r21p1'), r21p2: await pwdLastSet('r21p2') };
    dsacl((await user('r21p1'))?.dn ?? '', `(OD;;CR;${RESET_PASSWORD};;${sid})`);
    dsacl((await user('r21p2'))?.dn ?? '', `(OD;;WP;${UAC};;${sid})`);

    const resetRefused = ad.setEnabled(noReset.accountId, true, attributes('r21p1'), { reason: 'rehire' });
    await expect(resetRefused).rejects.toMatchObject({ code: 'target.rejected', retryable: false });
    await expect(resetRefused).rejects.toThrow(`setEnabled on corp-ad: the bind account may not enable it with a new initial password (unicodePwd, pwdLastSet and userAccountControl in one modify: nothing was written, the account stays disabled) on CN=r21p1,OU=Engineering,${people}: delegate "Reset Password" there to it`);
    const uacRefused = ad.setEnabled(noUac.accountId, true, attributes('r21p2'), { reason: 'rehire' });
    await expect(uacRefused).rejects.toThrow(`on CN=r21p2,OU=Engineering,${people}: delegate "Write userAccountControl" (Write property) there to it`);
    await expect(uacRefused).rejects.not.toThrow('Reset Password');

    // Nothing half done: both still disabled, with the password they had (pwdLastSet untouched).
    for (const sam of ['r21p1', 'r21p2'] as const) {
      expect(((await user(sam))?.uac ?? 0) & 2).toBe(2);
      expect(await pwdLastSet(sam)).toBe(before[sam]);
    }
    expect((await ad.get(noReset.accountId))?.enabled).toBe(false);
  }, 120_000);
});
