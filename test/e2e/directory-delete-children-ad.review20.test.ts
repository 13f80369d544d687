import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Control, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * Review 20: a leaver's AD user that holds child objects (an application's
 * classStore, an nTFRSSubscriptions container: the classes Samba's schema
 * allows below a user, as Exchange's ActiveSync device containers are on
 * Windows) is deleted through the engine with the Tree Delete control, in one
 * operation, children and all; a sibling user whose name starts alike, with
 * children of its own, is untouched; the next plan has nothing left to do.
 */
describe('directory end to end: deleting an AD user that has child objects (Samba)', () => {
  let samba: RunningSamba;
  let engine: Engine;
  let dir: string;
  let admin: Client;
  let people = '';

  const staff = (): Person[] => ['E1', 'E10', 'E2'].map((id) => person({ employeeId: id, givenName: `G${id}`, familyName: `F${id}` }));
  const leaving = (...ids: string[]) => staff().map((p) => (ids.includes(p.employeeId) ? { ...p, endDate: '2021-01-01', status: 'terminated' } : p));

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    return engine.sync({ actor: 'test' });
  }
  const link = async (id: string) => (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ad');
  async function below(dn: string): Promise<string[]> {
    const { searchEntries } = await admin.search(dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'] })
      .catch((error: unknown) => { if ((error as { code?: number }).code === 32) return { searchEntries: [] }; throw error; });
    return searchEntries.map((e) => e.dn.toLowerCase()).sort();
  }
  async function children(user: string): Promise<void> {
    await admin.add(`CN=App Store,${user}`, { objectClass: ['top', 'classStore'] });
    await admin.add(`CN=Replica Subscriptions,${user}`, { objectClass: ['top', 'nTFRSSubscriptions'] });
    await admin.add(`CN=Replica,CN=Replica Subscriptions,${user}`, { objectClass: ['top', 'nTFRSSubscriber'], fRSRootPath: 'C:\\x', fRSStagingPath: 'C:\\y' });
  }

  beforeAll(async () => {
    samba = await startSamba();
    people = `OU=People,${samba.rosterOU}`;
    admin = await adminClient(samba);
    dir = adProjectDir('roster-ad-delete-children-', samba);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      usersDn: `CN={sAMAccountName},${people}`,
      attributes: { sAMAccountName: `'"r20-" + identity.employeeId.lowerAscii()'`, sn: 'identity.familyName', employeeID: 'identity.employeeId' },
      leaver: '{ disable: immediately, delete: immediately }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
    }));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
    const first = await sync(staff());
    expect(first.result?.errors ?? []).toEqual([]);
  }, 400_000);
  afterAll(() => tearDown({ engine, client: admin, server: samba, dirs: [dir] }));

  it('the leaver and its children go in one tree delete; the sibling and its children stay', async () => {
    const e1 = `CN=r20-e1,${people}`;
    const e10 = `CN=r20-e10,${people}`;
    await children(e1);
    await children(e10);
    expect(await below(e1)).toHaveLength(4);
    const result = await sync(leaving('E1'));
    expect(result.result?.errors ?? []).toEqual([]);
    expect(result.plan.changes.filter((c) => c.identity === 'E1').map((c) => c.action)).toContain('delete');
    expect(await below(e1)).toEqual([]);
    expect(await link('E1')).toBeUndefined();
    expect(await below(e10)).toHaveLength(4);
    expect((await link('E10'))?.enabled).toBe(true);
    expect(await below(`CN=r20-e2,${people}`)).toHaveLength(1);
    // Nothing is planned again.
    expect((await sync(leaving('E1'))).plan.changes).toEqual([]);
  }, 120_000);

  it('a retried delete of a user already deleted with its children succeeds', async () => {
    const e10 = `CN=r20-e10,${people}`;
    const accountId = (await link('E10'))?.accountId ?? '';
    // The user is deleted by hand (with its children) after the plan was made: the delete finds it gone and is done.
    writeFileSync(join(dir, 'employees.csv'), csv(leaving('E1', 'E10')));
    await engine.readSource('hr', 'test');
    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.identity === 'E10').map((c) => c.action)).toContain('delete');
    await admin.del(e10, new Control('1.2.840.113556.1.4.805', { critical: true }));
    const result = await engine.apply(plan, { actor: 'test' });
    expect(result.errors).toEqual([]);
    expect(await below(e10)).toEqual([]);
    expect(accountId).not.toBe('');
    expect(await link('E10')).toBeUndefined();
  }, 120_000);
});
