import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * Active Directory (Samba AD DC) as the source of truth: a full pass,
 * incremental passes by uSNChanged, a disabled account becoming a leaver and
 * a deleted one becoming missing (more on leavers: directory-source-ad-gone.test.ts).
 */
let samba: RunningSamba;
let client: Client;
let engine: RosterEngine;
let dir: string;
let staff: string;
const PASSWORD = Buffer.from('"Roster-Person-Passw0rd!"', 'utf16le');

async function addUser(cn: string, employeeID: string | undefined, extra: Record<string, string> = {}): Promise<string> {
  const dn = `CN=${cn},${staff}`;
  const values: Record<string, string | string[]> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: cn, givenName: `Given ${cn}`, sn: `Surname ${cn}`,
    department: 'Engineering', userAccountControl: '512', ...(employeeID === undefined ? {} : { employeeID }), ...extra,
  };
  const attributes = Object.entries(values).map(([type, value]) => new Attribute({ type, values: Array.isArray(value) ? value : [value] }));
  // unicodePwd is the quoted password in UTF-16LE, a binary value.
  await client.add(dn, [...attributes, new Attribute({ type: 'unicodePwd', values: [PASSWORD] })]);
  return dn;
}

function replace(type: string, value: string): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
}

// Waits while another test file holds the one Samba (its LDAP ports are fixed).
beforeAll(async () => {
  samba = await startSamba();
  staff = `OU=SourceStaff,${samba.rosterOU}`;
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
  await client.add(staff, { objectClass: ['top', 'organizationalUnit'], ou: 'SourceStaff' });
  const boss = await addUser('boss', 'A1');
  for (let i = 2; i <= 6; i++) await addUser(`staff${i}`, `A${i}`, { manager: boss });
  dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-ad-'));
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: corp-ad
    type: ad
    key: employeeID
    schedule: "*/5 * * * *"
    maxMissing: 50%
    connection:
      url: ${samba.url}
      bindDN: "${samba.bindDN}"
      password: \${env:AD_PASSWORD}
      tls: { ca: ./ca.pem }
      base: "${staff}"
      pageSize: 2
    attributes: { givenName: givenName, familyName: sn, department: department, managerId: manager, username: sAMAccountName }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.username }
`);
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { AD_PASSWORD: samba.password }, log: silentLogger }) as RosterEngine;
}, 400_000);

afterAll(async () => {
  await engine?.close();
  await client?.unbind();
  await samba?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('ad source against Samba AD', () => {
  it('a full pass yields every person, resolves managers and stores a uSNChanged cursor of this DC', async () => {
    const result = await engine.readSource('corp-ad', 'test');
    expect(result).toMatchObject({ received: 6, created: 6, missing: 0, problems: [] });
    expect((await engine.store.identities.get('A3'))?.attributes).toEqual({
      employeeID: 'A3', givenName: 'Given staff3', familyName: 'Surname staff3', department: 'Engineering', managerId: 'A1', username: 'staff3', status: '',
    });
    const cursor = await engine.store.state.get<{ kind: string; usn: string; server: string }>('cursor:source:corp-ad');
    expect(cursor?.kind).toBe('usn');
    expect(cursor?.usn).toMatch(/^\d+$/);
    expect(cursor?.server).toMatch(/^CN=NTDS Settings,CN=DC1,/i);
  });

  it('an incremental pass returns only the changed person; a disabled account becomes a leaver', async () => {
    await client.modify(`CN=staff2,${staff}`, [replace('department', 'Sales')]);
    await client.modify(`CN=staff3,${staff}`, [replace('userAccountControl', '514')]);
    const result = await engine.readSource('corp-ad', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 2, changed: 2, missing: 0 });
    expect([...result.affected].sort()).toEqual(['A2', 'A3']);
    expect((await engine.store.identities.get('A2'))?.attributes.department).toBe('Sales');
    const leaver = await engine.store.identities.get('A3');
    expect(leaver).toMatchObject({ state: 'terminated', attributes: { status: 'terminated' } });
    expect(result.events.map((e) => [e.identityId, e.kind]).sort()).toEqual([['A2', 'mover'], ['A3', 'leaver']]);
    expect(await engine.readSource('corp-ad', 'test', { mode: 'incremental' })).toMatchObject({ received: 0 });
  });

  it('an account without employeeID is a problem naming its DN; a deleted one is missing at the next incremental pass', async () => {
    await addUser('nokey', undefined);
    const keyless = await engine.readSource('corp-ad', 'test', { mode: 'incremental' });
    expect(keyless.problems).toEqual([expect.objectContaining({ message: `entry CN=nokey,${staff} has no employeeID: it cannot be correlated` })]);
    await client.del(`CN=nokey,${staff}`);
    await client.del(`CN=staff4,${staff}`);
    // A tombstone (Show Deleted) names staff4's objectGUID, which the cursor holds with its key; nokey never had a key.
    expect(await engine.readSource('corp-ad', 'test', { mode: 'incremental' })).toMatchObject({ received: 0, missing: 1 });
    expect(await engine.store.identities.get('A4')).toMatchObject({ state: 'terminated' });
    const full = await engine.readSource('corp-ad', 'test', { mode: 'full' });
    expect(full).toMatchObject({ received: 5, missing: 0, problems: [] });
    expect((await engine.store.identities.get('A5'))?.state).toBe('active');
  });
});
