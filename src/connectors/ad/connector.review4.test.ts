import { describe, expect, it } from 'vitest';
import type { SearchOptions } from 'ldapts';
import { createLogger } from '../../core/log.js';
import { UniqueIndex } from '../../policy/unique.js';
import type { ClientPool, DirectoryClient } from '../directory/pool.js';
import { toDirectoryError } from '../directory/errors.js';
import { AdConnector } from './ad-connector.js';
import { explainAdDiagnostic } from './ad-errors.js';
import { adConnectionSchema } from './config.js';
import { isoToFiletime } from './filetime.js';
import { guidToBytes } from './guid.js';

const BASE = 'OU=Roster,DC=corp,DC=example';
const GUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const USER_DN = `CN=E1,OU=People,${BASE}`;

/** A pool of one fake client: every search answers the one user (no group lists it: member-of.ts), modifies go to `modify`. */
function fakePool(user: Record<string, unknown>, modify: (dn: string) => Promise<void> = () => Promise.resolve()) {
  const client = {
    search(_base: string, options: SearchOptions) {
      if (String(options.filter).includes('(member=')) return Promise.resolve({ searchEntries: [], searchReferences: [] });
      return Promise.resolve({ searchEntries: [{ dn: USER_DN, objectGUID: guidToBytes(GUID), userAccountControl: '512', ...user }], searchReferences: [] });
    },
    modify: (dn: string) => modify(dn),
  } as unknown as DirectoryClient;
  return { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client), close: () => Promise.resolve() } as unknown as ClientPool;
}

function connector(pool: ClientPool, users: Record<string, unknown> = {}, attributes?: readonly string[]): AdConnector {
  const config = adConnectionSchema.parse({
    url: 'ldaps://dc.corp.example', bindDN: 'CN=svc,DC=corp,DC=example', password: 'x', base: BASE,
    users: { dn: `CN={employeeID},OU=People,${BASE}`, upnSuffix: 'corp.example', ...users },
    groups: { base: `OU=Groups,${BASE}`, names: true },
  });
  return new AdConnector(pool, config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => undefined), ...(attributes === undefined ? {} : { attributes }) });
}

describe('review4: ad connector', () => {
  it('R1 a revoke of a membership already gone is a no-op on Windows AD too (53 00000561 ERROR_MEMBER_NOT_IN_GROUP)', async () => {
    // What a Windows DC answers to a delete of a member value the group does not hold (Samba says "already deleted").
    const notMember = Object.assign(new Error('00000561: SvcErr: DSID-031A1021, problem 5003 (WILL_NOT_PERFORM), data 0\n'), { code: 53 });
    const ad = connector(fakePool({}, () => Promise.reject(notMember)));
    await expect(ad.revoke(GUID, 'Sales')).resolves.toBeUndefined();
  });

  it('R2 accountExpires mapped under another Roster name reads back as a date, not a raw FILETIME', async () => {
    const filetime = isoToFiletime('2030-06-30');
    const ad = connector(fakePool({ accountExpires: filetime }), { attributes: { endDate: 'accountExpires' } }, ['endDate']);
    const account = await ad.get(GUID);
    expect(account?.attributes.endDate).toBe('2030-06-30');
    // And what reconcile compares: the value written and the value read are the same expiry.
    expect(ad.sameValue('endDate', '2030-06-30', account?.attributes.endDate)).toBe(true);
  });

  it('R3 the numbered fallback of unique() for a 20-character sAMAccountName still fits in 20 characters', async () => {
    // The documented mapping cuts each candidate to 20 characters; when every one is taken, policy numbers the first.
    const twenty = 'alexandria.montgomer';
    expect(twenty).toHaveLength(20);
    const index = new UniqueIndex(new Map([['corp-ad', ['sAMAccountName']]]));
    expect(index.pick('corp-ad', 'sAMAccountName', [twenty], 'person-1')).toBe(twenty);
    const second = index.pick('corp-ad', 'sAMAccountName', [twenty], 'person-2') ?? '';
    expect(second).not.toBe(twenty);
    // The connector refuses (for good, target.rejected) any create over 20 characters: the second person would never get an account.
    expect(second.length).toBeLessThanOrEqual(20);
  });

  it('R4 a date-time without an offset means the same instant on every host (not the host time zone)', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const utcHost = isoToFiletime('2030-06-30T18:00:00');
      process.env.TZ = 'America/New_York';
      const newYorkHost = isoToFiletime('2030-06-30T18:00:00');
      expect(newYorkHost).toBe(utcHost);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('R5 a sAMAccountName with an @ (refused by Samba while it makes the Kerberos keys) is explained as a bad account name', () => {
    // What Samba answered in test/e2e/directory-ad.review4.test.ts's probe for sAMAccountName "s@at".
    const refused = Object.assign(new Error('00002020: setup_kerberos_keys: generation of a salting principal failed: Malformed representation of principal Code: 0x1'), { code: 1 });
    expect(toDirectoryError(refused, 'corp-ad', 'create', explainAdDiagnostic).message).toMatch(/sAMAccountName/);
  });

  it('R6 an end date that is no ISO date (a day that does not exist, a US-style date) is refused, not moved to another day', () => {
    // 2030-02-30 is read as 2030-03-02 (the account works two days longer); 06/30/2030 as local midnight, a day early.
    for (const text of ['2030-02-30', '06/30/2030', 'June 30, 2030']) expect(() => isoToFiletime(text), text).toThrow(/not an ISO date/);
  });
});
