import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory } from '../../src/connectors/ad/index.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { learnedKey } from '../../src/reconcile/learned.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, FULL_NAME, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * A sAMAccountName is unique in the whole AD domain, but Roster reads only
 * below its base (the Roster OU). A joiner whose name someone holds in
 * CN=Users fails once with a conflict that names the value; the next sync
 * gives her the next free name instead of failing the same way forever.
 */
describe('directory end to end: a name taken elsewhere in the AD domain', () => {
  let samba: RunningSamba;
  let engine: Engine;
  let dir: string;
  let admin: Client;
  let heldDn: string;
  let upnHolderDn: string;
  const hr = [person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' })];

  async function user(filter: string) {
    const { searchEntries } = await admin.search(samba.baseDN, { scope: 'sub', filter, attributes: ['sAMAccountName', 'userPrincipalName', 'employeeID'] });
    return searchEntries;
  }

  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
    heldDn = `CN=Held Name,CN=Users,${samba.baseDN}`;
    // Someone else's user (another employee id), outside the Roster OU.
    await admin.add(heldDn, [
      new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: ['ada.lovelace'] }),
      new Attribute({ type: 'employeeID', values: ['E999'] }),
    ]);
    dir = adProjectDir('roster-ad-taken-', samba);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      usersDn: `CN={displayName},OU=People,${samba.rosterOU}`,
      attributes: {
        sAMAccountName: UNIQUE_GIVEN_DOT_FAMILY,
        displayName: FULL_NAME,
        givenName: 'identity.givenName',
        sn: 'identity.familyName',
        employeeID: 'identity.employeeId',
      },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }',
    }));
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
  }, 400_000);
  afterAll(async () => {
    for (const dn of [heldDn, upnHolderDn]) await admin?.del(dn).catch(() => undefined);
    await tearDown({ engine, client: admin, server: samba, dirs: [dir] });
  });

  it('the first sync fails on ada.lovelace, held outside the Roster OU; the next creates ada.lovelace2', async () => {
    const first = await engine.sync({ actor: 'test' });
    const sams = (plan: typeof first.plan) => plan.changes.filter((c) => c.action === 'create')
      .map((c) => (c.after as { attributes?: { sAMAccountName?: string } }).attributes?.sAMAccountName);
    expect(sams(first.plan)).toEqual(['ada.lovelace']);
    // The create fails; the group grant behind it then finds no account.
    expect(first.result?.errors.map((e) => e.changeId).sort()).toEqual(['corp-ad:E1:create', 'corp-ad:E1:grant:All Staff']);
    expect(first.result?.errors.find((e) => e.changeId === 'corp-ad:E1:create')?.error).toContain(`is already taken by ${heldDn}, outside ${samba.rosterOU} where Roster does not look`);
    expect(await engine.store.state.get(learnedKey('corp-ad'))).toEqual({ sAMAccountName: [{ value: 'ada.lovelace', at: expect.any(String) }] });

    const explained = await engine.explain('E1');
    const sam = explained.accounts.find((a) => a.target === 'corp-ad')?.desired.explanations.find((e) => e.subject === 'attribute:sAMAccountName');
    expect(sam?.detail).toMatch(/^"ada\.lovelace2": every candidate is taken/);

    const second = await engine.sync({ actor: 'test' });
    expect(sams(second.plan)).toEqual(['ada.lovelace2']);
    expect(second.result?.errors ?? []).toEqual([]);
    const created = await user('(employeeID=E1)');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ dn: `CN=Ada Lovelace,OU=People,${samba.rosterOU}`, sAMAccountName: 'ada.lovelace2', userPrincipalName: 'ada.lovelace2@example.test' });
    // The other account keeps its name; nothing of Roster's was written to it.
    expect(await user('(sAMAccountName=ada.lovelace)')).toEqual([expect.objectContaining({ dn: heldDn })]);
    expect((await engine.sync({ actor: 'test' })).plan.changes).toEqual([]);
  }, 120_000);

  it('the conflict names the Roster attribute whose value is taken: the sAMAccountName, or a UPN given on its own', async () => {
    upnHolderDn = `CN=UPN Holder,CN=Users,${samba.baseDN}`;
    await admin.add(upnHolderDn, [
      new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: ['upn.holder'] }),
      new Attribute({ type: 'userPrincipalName', values: ['grace@example.test'] }), new Attribute({ type: 'employeeID', values: ['E998'] }),
    ]);
    const connector = adConnectorFactory.create(adConnectionSchema.parse({
      ...adConnection(samba),
      users: { key: 'username', dn: `CN={username},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test', attributes: { username: 'sAMAccountName' } },
    }), { targetId: 'corp-ad', baseDir: '.', log: silentLogger });
    try {
      const create = (attributes: Record<string, string>) => connector.create({ attributes: { employeeID: 'E50', ...attributes }, enabled: false }).catch((e: unknown) => e);
      // Held by CN=Held Name (and its made-up UPN with it): the Roster attribute mapped to sAMAccountName.
      expect(await create({ username: 'ada.lovelace' })).toMatchObject({ code: 'target.conflict', details: { holders: [heldDn], taken: [{ attribute: 'username', value: 'ada.lovelace' }] } });
      // A free sAMAccountName with a UPN given on its own that someone holds: the UPN alone.
      expect(await create({ username: 'grace.hopper', userPrincipalName: 'grace@example.test' }))
        .toMatchObject({ code: 'target.conflict', details: { holders: [upnHolderDn], taken: [{ attribute: 'userPrincipalName', value: 'grace@example.test' }] } });
      // A UPN made from a free sAMAccountName that someone holds: only another sAMAccountName frees it.
      expect(await create({ username: 'grace' }))
        .toMatchObject({ code: 'target.conflict', details: { holders: [upnHolderDn], taken: [{ attribute: 'username', value: 'grace' }] } });
      // The holder carries this person's employee id: probably their own user outside the base. Not another name (a second account): say so.
      const own = await create({ username: 'ada.lovelace', employeeID: 'E999' });
      expect(own).toMatchObject({ code: 'target.conflict', details: { holders: [heldDn], taken: [] } });
      expect((own as Error).message).toContain("it carries this person's employee id, so it is probably their account");
      // Without an employee id to compare, nothing tells whose it is: not learned either.
      const unknown = await connector.create({ attributes: { username: 'ada.lovelace' }, enabled: false }).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: 'target.conflict', details: { holders: [heldDn], taken: [] } });
    } finally {
      await connector.close();
    }
  }, 60_000);
});
