import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, expect } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, departmentRoles, FULL_NAME, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * What the AD rehire e2e files share (directory-ad-rehire*.test.ts): an
 * engine on a Samba DC with the rehire project (lifecycle on, disable at
 * once, delete after 30 days, Engineering's group), Ada and Bob, and the
 * reads and binds they check a rehire's password with. A file that counts
 * the initial passwords keeps its own `vi.mock` of connectors/ad/password.js
 * (hoisted: it cannot live here).
 */

/** The password each person chose during their first employment (set by an admin reset, then "changed" by them). */
export const OWN = { E1: 'Own-Old-Passw0rd-Ada!', E2: 'Own-Old-Passw0rd-Bob!' } as const;

/** Ada (E1) and Bob (E2), in Engineering. */
export function rehireStaff(): Person[] {
  return [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Bob', familyName: 'Brown' }),
  ];
}

/** roster.yaml of the rehire project: sAMAccountName `<prefix><employee id>`, CN the full name under OU=People. */
export function adRehireYaml(samba: RunningSamba, samPrefix: string): string {
  return adProjectYaml(samba, {
    lifecycle: true,
    usersDn: `CN={displayName},OU=People,${samba.rosterOU}`,
    attributes: { sAMAccountName: `'"${samPrefix}" + identity.employeeId.lowerAscii()'`, displayName: FULL_NAME, employeeID: 'identity.employeeId', department: 'identity.department' },
    leaver: '{ disable: immediately, delete: after 30d }',
    safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
    roles: departmentRoles('corp-ad', { Engineering: 'Engineering' }),
  });
}

/** The bind's outcome: `success` ('ok' unless told), or AD's diagnostic code (52e: wrong password; 533: disabled; 773: right password, must be changed first). */
export async function adBind(samba: RunningSamba, dn: string, password: string, success = 'ok'): Promise<string> {
  const client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  try {
    await client.bind(dn, password);
    return success;
  } catch (error) {
    return /data ([0-9a-f]{3,8})/i.exec(String(error))?.[1] ?? String(error);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** As the person would: a password of their own, no change pending (written by `admin`). */
export async function choosePassword(admin: Client, dn: string, password: string): Promise<void> {
  await admin.modify(dn, [
    new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) }),
    new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: ['-1'] }) }),
  ]);
}

export type SyncOutcome = Awaited<ReturnType<Engine['sync']>>;

export interface AdRehireWorld {
  readonly samba: RunningSamba;
  /** Bound as the domain's administrator. */
  readonly reader: Client;
  readonly engine: Engine;
  /** Every line the engine logged (debug and up). */
  readonly logs: string[];
  /** The engine's clock. */
  now: Date;
  /** Write the HR file and sync; no change may fail (nor, with `notHeld`, the plan be held). */
  sync(hr: readonly Person[]): Promise<SyncOutcome>;
  /** The one user with this employeeID below the Roster OU. */
  entry(employeeID: string): Promise<Record<string, unknown> & { dn: string }>;
  bind(dn: string, password: string): Promise<string>;
  choosePassword(dn: string, password: string): Promise<void>;
}

/**
 * The engine world of an AD rehire file, set up in beforeAll and torn down in
 * afterAll of the describe that calls it. Its parts are read once the tests run.
 */
export function adRehireWorld(options: { readonly dirPrefix: string; readonly samPrefix: string; readonly start: Date; readonly notHeld?: boolean }): AdRehireWorld {
  const started: { samba?: RunningSamba; reader?: Client; engine?: Engine; dir?: string } = {};
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the AD rehire world has no ${what}: beforeAll did not run or failed`);
    return value;
  };
  const world: AdRehireWorld = {
    get samba() { return ready(started.samba, 'samba'); },
    get reader() { return ready(started.reader, 'reader'); },
    get engine() { return ready(started.engine, 'engine'); },
    logs: [],
    now: options.start,
    async sync(hr) {
      writeFileSync(join(ready(started.dir, 'dir'), 'employees.csv'), csv(hr));
      const result = await world.engine.sync({ actor: 'test' });
      if (options.notHeld === true) expect(result.plan.held).toBe(false);
      expect(result.result?.errors ?? []).toEqual([]);
      return result;
    },
    async entry(employeeID) {
      const { searchEntries } = await world.reader.search(world.samba.rosterOU, {
        scope: 'sub', filter: `(&(objectClass=user)(employeeID=${employeeID}))`,
        attributes: ['userAccountControl', 'pwdLastSet', 'memberOf', 'objectGUID'], explicitBufferAttributes: ['objectGUID'],
      });
      expect(searchEntries).toHaveLength(1);
      return searchEntries[0]!;
    },
    bind: (dn, password) => adBind(world.samba, dn, password),
    choosePassword: (dn, password) => choosePassword(world.reader, dn, password),
  };

  beforeAll(async () => {
    const samba = (started.samba = await startSamba());
    started.reader = await adminClient(samba);
    const dir = (started.dir = adProjectDir(options.dirPrefix, samba));
    writeFileSync(join(dir, 'roster.yaml'), adRehireYaml(samba, options.samPrefix));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    started.engine = await openEngine(join(dir, 'roster.yaml'), { now: () => world.now, log: createLogger('debug', (line) => world.logs.push(line)) });
  }, 400_000);
  afterAll(() => tearDown({ engine: started.engine, client: started.reader, server: started.samba, dirs: [started.dir] }));
  return world;
}
