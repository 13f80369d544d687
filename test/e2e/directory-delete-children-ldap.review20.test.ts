import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * A leaver's entry that holds child entries (a device, a printer, an
 * application's objects below the person) through the engine into slapd,
 * which has no tree delete control: Roster deletes the children deepest
 * first, then the entry, and nothing outside that subtree.
 */
describe('directory end to end: deleting an OpenLDAP account that has children', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let admin: Client;
  let people = '';

  const staff = (): Person[] => ['E1', 'E2', 'E10', 'E3'].map((id) => person({ employeeId: id, givenName: `G${id}`, familyName: `F${id}` }));
  const leaving = (...ids: string[]) => staff().map((p) => (ids.includes(p.employeeId) ? { ...p, endDate: '2021-01-01', status: 'terminated' } : p));

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    return engine.sync({ actor: 'test' });
  }
  const link = async (id: string) => (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
  async function below(dn: string): Promise<string[]> {
    const { searchEntries } = await admin.search(dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'] })
      .catch((error: unknown) => { if ((error as { code?: number }).code === 32) return { searchEntries: [] }; throw error; });
    return searchEntries.map((e) => e.dn.toLowerCase()).sort();
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    people = `ou=people,${slapd.suffix}`;
    dir = mkdtempSync(join(tmpdir(), 'roster-delete-children-'));
    writeFileSync(join(dir, 'roster.yaml'), ldapProjectYaml(slapd, {
      usersDn: `uid={uid},${people}`,
      userAttributes: { cn: 'cn', sn: 'sn' },
      placeholder: true,
      attributes: { uid: 'identity.employeeId.lowerAscii()', cn: 'identity.givenName + " " + identity.familyName', sn: 'identity.familyName' },
      leaver: '{ disable: never, delete: immediately }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
    }));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
    const first = await sync(staff());
    expect(first.result?.errors ?? []).toEqual([]);
    // E1's entry gets a device with a sub-entry, a printer, and an alias that points at E10 (a sibling whose uid starts alike).
    const e1 = `uid=e1,${people}`;
    await admin.add(`cn=phone,${e1}`, { objectClass: ['device'], cn: 'phone' });
    await admin.add(`cn=sync-state,cn=phone,${e1}`, { objectClass: ['device'], cn: 'sync-state' });
    await admin.add(`cn=printer,${e1}`, { objectClass: ['device'], cn: 'printer' });
    await admin.add(`uid=e10,${e1}`, { objectClass: ['alias', 'extensibleObject'], uid: 'e10', aliasedObjectName: `uid=e10,${people}` });
    // E2's entry holds another person's account (an inetOrgPerson with a uid) below it.
    await admin.add(`uid=e2-admin,uid=e2,${people}`, { objectClass: ['inetOrgPerson'], uid: 'e2-admin', cn: 'E2 admin', sn: 'admin' });
  });
  afterAll(() => tearDown({ engine, client: admin, server: slapd, dirs: [dir] }));

  it('a leaver with children is deleted with them, deepest first; the sibling the alias names stays', async () => {
    const result = await sync(leaving('E1'));
    expect(result.result?.errors ?? []).toEqual([]);
    expect(await below(`uid=e1,${people}`)).toEqual([]);
    expect(await link('E1')).toBeUndefined();
    // The alias was not followed: E10 (and E10's entry only) is still there, and everyone else.
    expect(await below(`uid=e10,${people}`)).toEqual([`uid=e10,${people}`.toLowerCase()]);
    expect((await link('E10'))?.accountId).toBeDefined();
    expect(await below(`uid=e3,${people}`)).toEqual([`uid=e3,${people}`.toLowerCase()]);
    // Nothing left to do: the next plan does not plan the delete again.
    expect((await sync(leaving('E1'))).plan.changes).toEqual([]);
  });

  it('an account entry below a leaver is not deleted with it: the delete is refused naming both', async () => {
    const result = await sync(leaving('E1', 'E2'));
    const errors = result.result?.errors ?? [];
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors)).toContain(`uid=e2,${people}`);
    expect(JSON.stringify(errors)).toContain(`uid=e2-admin,uid=e2,${people}`);
    expect(await below(`uid=e2,${people}`)).toEqual([`uid=e2,${people}`, `uid=e2-admin,uid=e2,${people}`].map((d) => d.toLowerCase()).sort());
  });

  it('once an administrator moves the inner account out, the next run deletes the leaver', async () => {
    await admin.modifyDN(`uid=e2-admin,uid=e2,${people}`, `uid=e2-admin,${people}`);
    const again = await sync(leaving('E1', 'E2'));
    expect(again.result?.errors ?? []).toEqual([]);
    expect(await below(`uid=e2,${people}`)).toEqual([]);
    expect(await below(`uid=e2-admin,${people}`)).toHaveLength(1);
  });
});
