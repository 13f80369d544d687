/**
 * review22: docs/directories.md's Active Directory section read as a contract and checked against a
 * real Samba AD DC, for the promises no earlier test pinned: what an administrator changes by hand
 * (an employee's accountExpires, a report's manager, a disable) is found by reconcile and put back,
 * "never" in either spelling is not rewritten, a date-time end date reads back as written; and, at
 * the connector, the writes refused for a user moved out of the base, a group whose name a user holds,
 * and a UPN set by hand through a sAMAccountName rename.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdConnector } from '../../src/connectors/ad/index.js';
import { unicodePwd } from '../../src/connectors/ad/password.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { departmentConnector, rosterFailure as failure } from './ad-connector-support.js';
import { adminClient, adProjectDir, adProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

const NEVER = new Set(['0', '9223372036854775807']);
const KNOWN = 'Known-Passw0rd-r22c!';

describe('review22: the AD section of docs/directories.md against Samba', () => {
  let samba: RunningSamba;
  let admin: Client;
  let engine: Engine | undefined;
  const dirs: string[] = [];
  const connectors: AdConnector[] = [];
  let people = '';

  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
    people = `OU=People,${samba.rosterOU}`;
  }, 400_000);
  afterAll(async () => {
    await Promise.all(connectors.map((c) => c.close()));
    await tearDown({ engine, client: admin, server: samba, dirs });
  });

  const replace = (type: string, values: string[] | Buffer[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
  async function user(id: string): Promise<Record<string, unknown>> {
    const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter: `(employeeID=${id})`, attributes: ['manager', 'accountExpires', 'userAccountControl'] });
    expect(searchEntries).toHaveLength(1);
    return searchEntries[0]!;
  }
  async function binds(upn: string, password: string): Promise<boolean> {
    const client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
    try {
      await client.bind(upn, password);
      return true;
    } catch {
      return false;
    } finally {
      await client.unbind();
    }
  }

  it('hand edits (employee accountExpires, manager changed or cleared, a disable) are put back; "never" and a date-time end date are not rewritten', async () => {
    const dir = adProjectDir('roster-ad-contract-', samba);
    dirs.push(dir);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      lifecycle: true,
      usersDn: `CN={employeeID},${people}`,
      attributes: {
        sAMAccountName: `'"r22c" + identity.employeeId.lowerAscii()'`, sn: 'identity.familyName', employeeID: 'identity.employeeId',
        manager: `'has(managerAccount.id) ? "<GUID=" + managerAccount.id + ">" : ""'`,
        accountExpires: `'identity.employmentType == "contractor" && identity.endDate != "" ? identity.endDate : ""'`,
      },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
    }));
    writeFileSync(join(dir, 'employees.csv'), csv([
      person({ employeeId: 'M1', givenName: 'Mia', familyName: 'One' }),
      person({ employeeId: 'M2', givenName: 'Max', familyName: 'Two' }),
      person({ employeeId: 'E1', givenName: 'Eve', familyName: 'One', managerId: 'M1' }),
      person({ employeeId: 'E2', givenName: 'Eli', familyName: 'Two', managerId: 'M1' }),
      person({ employeeId: 'E3', givenName: 'Ezra', familyName: 'Three', managerId: 'M1' }),
      person({ employeeId: 'C1', givenName: 'Cy', familyName: 'Con', managerId: 'M1', employmentType: 'contractor', endDate: '2030-06-30T18:00:00+02:00' }),
    ]));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
    const first = await engine.sync({ actor: 'test' });
    expect(first.result?.errors ?? []).toEqual([]);
    // 2030-06-30T16:00Z as a FILETIME (100 ns since 1601).
    expect((await user('C1')).accountExpires).toBe(String((Date.UTC(2030, 5, 30, 16) / 1000 + 11_644_473_600) * 10_000_000));
    await engine.reconcile('corp-ad', { actor: 'test', apply: false });
    expect((await engine.plan()).changes).toEqual([]);

    const m1 = String((await admin.search(people, { scope: 'one', filter: '(employeeID=M1)', attributes: ['1.1'] })).searchEntries[0]?.dn);
    const m2 = `CN=M2,${people}`;
    await admin.modify(`CN=E1,${people}`, [replace('manager', [m2]), replace('accountExpires', ['133000000000000000'])]);
    await admin.modify(`CN=E2,${people}`, [new Change({ operation: 'delete', modification: new Attribute({ type: 'manager' }) }), replace('accountExpires', ['9223372036854775807'])]);
    await admin.modify(`CN=E3,${people}`, [replace('unicodePwd', [unicodePwd(KNOWN)]), replace('pwdLastSet', ['-1']), replace('userAccountControl', ['514'])]);

    await engine.reconcile('corp-ad', { actor: 'test', apply: false });
    const plan = await engine.plan();
    const changes = plan.changes.map((c) => ({ identity: c.identity, action: c.action, attributes: Object.keys(c.after?.attributes ?? {}).sort() }));
    expect(changes.sort((a, b) => a.identity.localeCompare(b.identity))).toEqual([
      { identity: 'E1', action: 'update', attributes: ['accountExpires', 'manager'] },
      { identity: 'E2', action: 'update', attributes: ['manager'] },
      { identity: 'E3', action: 'enable', attributes: expect.any(Array) as unknown as string[] },
    ]);
    await engine.apply(plan, { actor: 'test' });
    expect(await user('E1')).toMatchObject({ manager: m1 });
    expect(NEVER.has(String((await user('E1')).accountExpires))).toBe(true);
    expect(await user('E2')).toMatchObject({ manager: m1 });
    // Enabled again, keeping its password (an enable of reason return under passwordOnEnable: rehire).
    expect(Number((await user('E3')).userAccountControl) & 2).toBe(0);
    expect(await binds('r22ce3@example.test', KNOWN)).toBe(true);
    await engine.reconcile('corp-ad', { actor: 'test', apply: false });
    expect((await engine.plan()).changes).toEqual([]);
  }, 180_000);

  const connect = (): AdConnector => departmentConnector(samba, connectors);

  it('connector: a grant or an enable of a user moved out of the base is a conflict; a group whose name a user holds gets one AD makes; a UPN set by hand survives a rename', async () => {
    const connector = connect();
    const moved = await connector.create({ attributes: { sAMAccountName: 'r22c.mv', department: 'Sales', employeeID: 'R22C-MV' }, enabled: false });
    await admin.modifyDN(`CN=r22c.mv,OU=Sales,OU=People,${samba.rosterOU}`, `CN=r22c.mv,CN=Users,${samba.baseDN}`);
    for (const attempt of [() => connector.grant(moved.accountId, 'All Staff'), () => connector.setEnabled(moved.accountId, true, undefined, { reason: 'return' })]) {
      const error = await failure(attempt());
      expect(error.code).toBe('target.conflict');
      expect(error.message).toContain(`moved to CN=r22c.mv,CN=Users,${samba.baseDN}`);
    }

    const holder = await connector.create({ attributes: { sAMAccountName: 'r22c.held', department: 'Sales', employeeID: 'R22C-H' }, enabled: true });
    await connector.grant(holder.accountId, 'r22c.held');
    const { searchEntries: groups } = await admin.search(`OU=Groups,${samba.rosterOU}`, { scope: 'one', filter: '(cn=r22c.held)', attributes: ['sAMAccountName'] });
    expect(groups.map((g) => String(g.sAMAccountName))).toEqual([expect.stringMatching(/^\$/)]);
    expect((await connector.get(holder.accountId))?.entitlements).toContain('r22c.held');

    const named = await connector.create({ attributes: { sAMAccountName: 'r22c.upn', department: 'Sales', employeeID: 'R22C-U' }, enabled: true });
    await admin.modify(`CN=r22c.upn,OU=Sales,OU=People,${samba.rosterOU}`, replace('userPrincipalName', ['by.hand.r22c@example.test']));
    await connector.update(named.accountId, { sAMAccountName: 'r22c.upn2' });
    expect((await connector.get(named.accountId))?.attributes).toMatchObject({ sAMAccountName: 'r22c.upn2', userPrincipalName: 'by.hand.r22c@example.test' });
  }, 120_000);
});
