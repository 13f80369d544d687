import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, groupsOf, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * An entry placed by an explicit `dn` attribute (not users.dn), disabled by a
 * move to the disabled OU, comes back to that DN when it is enabled (a
 * rehire), with its groups: the template DN would be another place, and no
 * later plan would move it (the link already says where it should be).
 */
describe('explicit dn: disable by move, then rehire (slapd)', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    return result;
  }
  async function dnOf(id: string): Promise<string | undefined> {
    const linked = (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
    if (linked === undefined) return undefined;
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: `(entryUUID=${linked.accountId})`, attributes: ['1.1'] });
    return searchEntries[0]?.dn.toLowerCase();
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-explicit-dn-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'roster.yaml'), ldapProjectYaml(slapd, {
      lifecycle: true,
      usersDn: `uid={uid},ou=people,${s}`,
      createOUs: true,
      userAttributes: { cn: 'cn', sn: 'sn' },
      attributes: {
        uid: 'identity.employeeId.lowerAscii()', cn: 'identity.givenName', sn: 'identity.familyName',
        dn: `'identity.department == "Special" ? "uid=" + identity.employeeId.lowerAscii() + ",ou=special,ou=people,${s}" : ""'`,
      },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
    }));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  });
  afterAll(async () => {
    await tearDown({ engine, client: reader, server: slapd, dirs: [dir] });
  });

  it('a rehire comes back to its explicit DN, with its groups', async () => {
    const s = slapd.suffix.toLowerCase();
    const ada = person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', department: 'Special' });
    await sync([ada]);
    expect(await dnOf('E1')).toBe(`uid=e1,ou=special,ou=people,${s}`);

    await sync([{ ...ada, endDate: '2026-11-26' }]);
    expect(await dnOf('E1')).toBe(`uid=e1,ou=disabled,${s}`);

    clock.now = new Date('2026-12-01T09:00:00Z');
    await sync([{ ...ada, startDate: '2026-12-01' }]);
    expect(await dnOf('E1')).toBe(`uid=e1,ou=special,ou=people,${s}`);
    expect((await groupsOf(reader, slapd, await dnOf('E1'))).map((g) => g.toLowerCase())).toEqual([`cn=all-staff,ou=groups,${s}`]);
    // Nothing left to do: the entry is where the link says.
    writeFileSync(join(dir, 'employees.csv'), csv([{ ...ada, startDate: '2026-12-01' }]));
    expect((await engine.plan()).changes).toEqual([]);
  });
});
