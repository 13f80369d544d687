import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adConnection, startSamba, type RunningSamba } from '../../../test/support/samba.js';
import { createLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { adConnectionSchema, adConnectorFactory } from './index.js';

/**
 * Review 22, against Samba: a group Roster would create (groups.create) with a
 * name longer than AD's 64 characters for a cn is refused before anything is
 * written, naming the group and the limit, not with the directory's "wrong
 * syntax (LDAP 21 … 'cn')". A name of exactly 64 is made, with that whole
 * name as its sAMAccountName (nothing is ever cut).
 */
describe('review22: an ad group name longer than a cn may be', () => {
  let samba: RunningSamba;
  let admin: Client;
  let groupsOu = '';
  let ad: Connector;

  async function group(cn: string): Promise<{ sam: string; members: number } | undefined> {
    const { searchEntries: [entry] } = await admin.search(groupsOu, { scope: 'one', filter: `(cn=${cn})`, attributes: ['sAMAccountName', 'member'] });
    if (entry === undefined) return undefined;
    const member = entry.member === undefined ? [] : [entry.member].flat();
    return { sam: String(entry.sAMAccountName), members: member.length };
  }

  beforeAll(async () => {
    samba = await startSamba();
    admin = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
    await admin.bind(samba.bindDN, samba.password);
    groupsOu = `OU=Groups,${samba.rosterOU}`;
    const config = adConnectionSchema.parse({
      ...adConnection(samba), poolSize: 1,
      users: { dn: `CN={sAMAccountName},OU=People,${samba.rosterOU}` },
      groups: { base: groupsOu, names: true, create: true },
    });
    ad = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => undefined), attributes: ['sAMAccountName', 'sn'] });
  }, 400_000);
  afterAll(async () => {
    await ad?.close();
    await admin?.unbind().catch(() => undefined);
    await samba?.stop();
  });

  it('65 characters: refused before the write, naming the group and the limit; nothing is created', async () => {
    const account = await ad.create({ attributes: { sAMAccountName: 'r22g1', sn: 'G1' }, enabled: true });
    const long = `Engineering-${'x'.repeat(53)}`;
    expect(long).toHaveLength(65);
    const refused = ad.grant(account.accountId, long);
    await expect(refused).rejects.toMatchObject({ code: 'target.rejected', retryable: false });
    await expect(refused).rejects.toThrow(`grant on corp-ad: group name "${long}" is 65 characters long: Active Directory allows at most 64 in a group's name (cn)`);
    await expect(refused).rejects.not.toThrow('LDAP 21');
    expect(await group(long)).toBeUndefined();
    expect((await ad.get(account.accountId))?.entitlements).toEqual([]);
    // As a DN too: its leaf is the name.
    await expect(ad.grant(account.accountId, `CN=${long},${groupsOu}`)).rejects.toThrow(`group name "${long}" is 65 characters long`);
  }, 120_000);

  it('64 characters (Samba\'s limit too): created, its sAMAccountName the whole name', async () => {
    const account = await ad.create({ attributes: { sAMAccountName: 'r22g2', sn: 'G2' }, enabled: true });
    const name = `Engineering-${'y'.repeat(52)}`;
    expect(name).toHaveLength(64);
    await ad.grant(account.accountId, name);
    expect(await group(name)).toEqual({ sam: name, members: 1 });
    expect((await ad.get(account.accountId))?.entitlements).toEqual([name]);
  }, 120_000);

  it('an emoji counts two, as AD counts: 32 of them are made, 33 refused before the write', async () => {
    const account = await ad.create({ attributes: { sAMAccountName: 'r22g3', sn: 'G3' }, enabled: true });
    const fits = '😀'.repeat(32);
    await ad.grant(account.accountId, fits);
    expect(await group(fits)).toEqual({ sam: fits, members: 1 });
    const over = '😀'.repeat(33);
    await expect(ad.grant(account.accountId, over)).rejects.toThrow(`group name "${over}" is 66 characters long (counted as AD counts, in UTF-16 units`);
    expect(await group(over)).toBeUndefined();
  }, 120_000);
});
