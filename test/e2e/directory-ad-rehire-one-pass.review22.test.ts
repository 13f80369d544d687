import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeChange } from '../../src/cli/plan-format.js';
import { createLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, departmentRoles, FULL_NAME, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/** Every initial password the AD connector generates in this file, to bind with it and to look for it in every output. */
const generated = vi.hoisted(() => [] as string[]);
vi.mock('../../src/connectors/ad/password.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/connectors/ad/password.js')>();
  return {
    ...original,
    initialPassword: (...args: Parameters<typeof original.initialPassword>) => {
      const password = original.initialPassword(...args);
      generated.push(password);
      return password;
    },
  };
});

const OWN = { E1: 'Own-Old-Passw0rd-Ada!', E2: 'Own-Old-Passw0rd-Bob!' } as const;

/**
 * Review 22: Ada left on the 10th and was rehired from the 15th; the HR file
 * that says both is read on the 20th (one row: the old end date, the new
 * start). Her account was never disabled, so no rehire's enable came: she
 * kept the former employment's password. Now the lifecycle records the
 * rehire and the plan gives her enabled account an enable that sets a new
 * random initial password (unicodePwd, pwdLastSet 0) in one modify; the
 * next plan has nothing to do. Bob, active all along, keeps his.
 */
describe('review 22: AD, a termination and a rehire read in one pass get new credentials', () => {
  let samba: RunningSamba;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  const logs: string[] = [];
  let now = new Date('2026-03-02T09:00:00Z');
  const staff: Person[] = [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Bob', familyName: 'Brown' }),
  ];

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    expect(result.result?.errors ?? []).toEqual([]);
    return result;
  }
  async function entry(employeeID: string) {
    const { searchEntries } = await reader.search(samba.rosterOU, {
      scope: 'sub', filter: `(&(objectClass=user)(employeeID=${employeeID}))`, attributes: ['userAccountControl', 'pwdLastSet', 'objectGUID'], explicitBufferAttributes: ['objectGUID'],
    });
    expect(searchEntries).toHaveLength(1);
    return searchEntries[0]!;
  }
  /** The bind's outcome: 'ok', or AD's diagnostic code (52e: wrong password; 773: right password, must be changed first). */
  async function bind(dn: string, password: string): Promise<string> {
    const client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
    try {
      await client.bind(dn, password);
      return 'ok';
    } catch (error) {
      return /data ([0-9a-f]{3,8})/i.exec(String(error))?.[1] ?? String(error);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  async function choosePassword(dn: string, password: string) {
    await reader.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: ['-1'] }) }),
    ]);
  }

  beforeAll(async () => {
    samba = await startSamba();
    reader = await adminClient(samba);
    dir = adProjectDir('roster-ad-rehire-one-pass-', samba);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      lifecycle: true,
      usersDn: `CN={displayName},OU=People,${samba.rosterOU}`,
      attributes: { sAMAccountName: `'"op-" + identity.employeeId.lowerAscii()'`, displayName: FULL_NAME, employeeID: 'identity.employeeId', department: 'identity.department' },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      roles: departmentRoles('corp-ad', { Engineering: 'Engineering' }),
    }));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => now, log: createLogger('debug', (line) => logs.push(line)) });
  }, 400_000);
  afterAll(() => tearDown({ engine, client: reader, server: samba, dirs: [dir] }));

  it('the account in use gets a new initial password to change at next logon; the old one no longer binds; once', async () => {
    await sync(staff);
    const joined = { E1: await entry('E1'), E2: await entry('E2') };
    for (const id of ['E1', 'E2'] as const) {
      await choosePassword(joined[id].dn, OWN[id]);
      expect(await bind(joined[id].dn, OWN[id])).toBe('ok');
    }
    const createdPasswords = generated.length;

    // The 20th: left on the 10th, back from the 15th, in one row. Bob's row unchanged.
    now = new Date('2026-03-20T09:00:00Z');
    const back = await sync([{ ...staff[0]!, startDate: '2026-03-15', endDate: '2026-03-10', status: 'active' }, staff[1]!]);
    const enables = back.plan.changes.filter((c) => c.action === 'enable');
    expect(enables.map((c) => `${c.identity}:${c.reasons.join('+')}`)).toEqual(['E1:rehire+rehire.credentials']);
    expect(describeChange(enables[0]!)).toContain('new credentials: new employment since 2026-03-15, the account\'s are from the former one');
    expect(back.plan.changes.filter((c) => c.action === 'disable')).toEqual([]);

    const ada = await entry('E1');
    expect(ada.objectGUID).toEqual(joined.E1.objectGUID);
    expect(ada.userAccountControl).toBe('512');
    expect(ada.pwdLastSet).toBe('0');
    expect(await bind(ada.dn, OWN.E1)).toBe('52e');
    const fresh = generated.slice(createdPasswords);
    expect(fresh).toHaveLength(1);
    expect(await bind(ada.dn, fresh[0]!)).toBe('773');

    // Bob, active all along, keeps his own password.
    expect(await bind((await entry('E2')).dn, OWN.E2)).toBe('ok');

    const audit = await engine.store.audit.list({ identity: 'E1', kind: 'change.applied' });
    const enable = audit.find((e) => (e.data as { action?: string }).action === 'enable');
    expect(enable?.data).toMatchObject({ newPassword: true });
    const explained = await engine.explain('E1');
    expect(explained.timeline.map((e) => e.kind)).toContain('rehire');
    expect(explained.accounts[0]?.linked?.credentialsSetAt).toBe('2026-03-20T09:00:00.000Z');
    const everything = JSON.stringify({ plan: back.plan, result: back.result, audit, links: await engine.store.accounts.listAll() }) + logs.join('\n');
    for (const password of generated) expect(everything).not.toContain(password);

    // Applied once: the next plans have nothing to do, and no other password is set.
    now = new Date('2026-03-21T09:00:00Z');
    expect((await engine.plan()).changes).toEqual([]);
    await sync([{ ...staff[0]!, startDate: '2026-03-15', endDate: '2026-03-10', status: 'active' }, staff[1]!]);
    expect(generated).toHaveLength(createdPasswords + 1);
  }, 180_000);
});
