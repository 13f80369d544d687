/**
 * review13: edge cases of the `ad` target connector against a real Samba AD DC
 * (issue 3): names AD forbids, clashes, manager references, accountExpires
 * changes, userAccountControl flags set by an admin, renames and moves by an
 * admin, special characters in the RDN, clearing attributes, injection.
 */
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRosterError, type RosterError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient } from './directory-config.js';

/** Every initial password the connector generates: looked for where it must not be. */
const issued = vi.hoisted(() => [] as string[]);
vi.mock('../../src/connectors/ad/password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/connectors/ad/password.js')>();
  return {
    ...actual,
    initialPassword: (...args: Parameters<typeof actual.initialPassword>) => {
      const password = actual.initialPassword(...args);
      issued.push(password);
      return password;
    },
  };
});

const ACCOUNTDISABLE = 0x2;
const PASSWD_NOTREQD = 0x20;
const DONT_EXPIRE_PASSWORD = 0x10000;
const SMARTCARD_REQUIRED = 0x40000;
const NEVER = new Set(['0', '9223372036854775807']);

let samba: RunningSamba;
let admin: Client;
const connectors: AdConnector[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  samba = await startSamba();
  admin = await adminClient(samba);
}, 400_000);
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await admin?.unbind();
  await samba?.stop();
});

function connect(users: Record<string, unknown> = {}, timezone?: string): AdConnector {
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU={department},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test', createOUs: true, ...users },
    groups: { base: `OU=Groups,${samba.rosterOU}`, names: true, create: true },
  });
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('debug', (line) => logLines.push(line)), ...(timezone === undefined ? {} : { timezone }) }) as AdConnector;
  connectors.push(connector);
  return connector;
}

async function readOne(filter: string, attributes: string[], base = samba.rosterOU): Promise<Record<string, unknown>> {
  const { searchEntries } = await admin.search(base, { scope: 'sub', filter, attributes });
  expect(searchEntries).toHaveLength(1);
  return searchEntries[0]!;
}

/** The message a simple bind fails with, or '' when it succeeds. */
async function bindError(user: string, password: string): Promise<string> {
  const client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  try {
    await client.bind(user, password);
    return '';
  } catch (error) {
    return String(error);
  } finally {
    await client.unbind();
  }
}

async function failure(promise: Promise<unknown>): Promise<RosterError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(isRosterError(error)).toBe(true);
  return error as RosterError;
}

/** Every text an error carries: message, details, and its causes' messages. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 5 && current !== undefined && current !== null; i++) {
    parts.push(String(current), JSON.stringify((current as { details?: unknown }).details ?? null));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('review13: ad connector edges against Samba AD', () => {
  it('E1 a derived sAMAccountName over 20 characters or with a character AD forbids is refused naming the rule, and nothing is written', async () => {
    const connector = connect();
    const long = await failure(connector.create({ attributes: { sAMAccountName: 'maximilian.vonhabsburg', department: 'Sales', employeeID: 'R13-1' }, enabled: true }));
    expect(long.code).toBe('target.rejected');
    expect(long.message).toMatch(/longer than 20 characters/);
    for (const bad of ['a"b', 'a/b', 'a\\b', 'a[b', 'a]b', 'a:b', 'a;b', 'a|b', 'a=b', 'a,b', 'a+b', 'a*b', 'a?b', 'a<b', 'a>b']) {
      const error = await failure(connector.create({ attributes: { sAMAccountName: bad, department: 'Sales' }, enabled: true }));
      expect(error.code).toBe('target.rejected');
      expect(error.message).toContain(JSON.stringify(bad));
      expect(error.message).toMatch(/does not allow/);
    }
    const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter: '(employeeID=R13-1)', attributes: ['dn'] });
    expect(searchEntries).toHaveLength(0);
  });

  it('E2 two people mapped to one sAMAccountName: the second create is a conflict, never the first person\'s account', async () => {
    const connector = connect();
    const first = await connector.create({ attributes: { sAMAccountName: 'j.smith', department: 'Sales', employeeID: 'R13-2a', displayName: 'John Smith' }, enabled: true });
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'j.smith', department: 'Sales', employeeID: 'R13-2b', displayName: 'Jane Smith' }, enabled: true }));
    expect(error.code).toBe('target.conflict');
    expect(error.retryable).toBe(false);
    expect((await connector.get(first.accountId))?.attributes).toMatchObject({ displayName: 'John Smith', employeeID: 'R13-2a' });
    // And in another OU (the DN differs, only the sAMAccountName clashes).
    const other = await failure(connector.create({ attributes: { sAMAccountName: 'j.smith', department: 'Legal', employeeID: 'R13-2c' }, enabled: true }));
    expect(other.code).toBe('target.conflict');
  });

  it('E3 a manager not created yet (or gone) is a retryable error in plain words', async () => {
    const connector = connect();
    const missing = `CN=nobody,OU=People,${samba.rosterOU}`;
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'r13.report', department: 'Sales', manager: missing }, enabled: true }));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/manager|DN-valued attribute/);
    const guid = await failure(connector.create({ attributes: { sAMAccountName: 'r13.report2', department: 'Sales', manager: '<GUID=01234567-89ab-cdef-0123-456789abcdef>' }, enabled: true }));
    expect(guid.retryable).toBe(true);
  });

  it('E4 the manager is followed through a rename in AD by objectGUID, and changing managers writes the new one', async () => {
    const connector = connect();
    const boss = await connector.create({ attributes: { sAMAccountName: 'r13.boss', department: 'Sales', employeeID: 'R13-4a' }, enabled: true });
    const boss2 = await connector.create({ attributes: { sAMAccountName: 'r13.boss2', department: 'Sales', employeeID: 'R13-4b' }, enabled: true });
    const report = await connector.create({ attributes: { sAMAccountName: 'r13.rep', department: 'Sales', employeeID: 'R13-4c', manager: `<GUID=${boss.accountId}>` }, enabled: true });
    expect(report.references?.manager).toBe(`<GUID=${boss.accountId}>`);
    await admin.modifyDN(`CN=r13.boss,OU=Sales,OU=People,${samba.rosterOU}`, `CN=r13.boss.renamed,OU=Sales,OU=People,${samba.rosterOU}`);
    const read = await connector.get(report.accountId);
    expect(String(read?.attributes.manager)).toMatch(/^CN=r13\.boss\.renamed,/i);
    expect(read?.references?.manager).toBe(`<GUID=${boss.accountId}>`);
    await connector.update(report.accountId, { manager: `<GUID=${boss2.accountId}>` });
    expect((await connector.get(report.accountId))?.references?.manager).toBe(`<GUID=${boss2.accountId}>`);
    await connector.update(report.accountId, { manager: null });
    expect((await connector.get(report.accountId))?.attributes.manager).toBeUndefined();
  });

  it('E5 accountExpires: extended, with an offset, removed, and a contractor made an employee becomes never', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.contr', department: 'Sales', accountExpires: '2027-03-31' }, enabled: true });
    const raw = async () => String((await readOne('(sAMAccountName=r13.contr)', ['accountExpires'])).accountExpires);
    expect(await raw()).toBe('134510112000000000');
    await connector.update(account.accountId, { accountExpires: '2027-12-31' });
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBe('2027-12-31');
    // 2028-01-01T00:00:00+01:00 is 2027-12-31T23:00:00Z.
    await connector.update(account.accountId, { accountExpires: '2028-01-01T00:00:00+01:00' });
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBe('2027-12-31T23:00:00.000Z');
    await connector.update(account.accountId, { accountExpires: '' });
    expect(NEVER.has(await raw())).toBe(true);
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBeUndefined();
    await connector.update(account.accountId, { accountExpires: '2027-06-30' });
    await connector.update(account.accountId, { accountExpires: null });
    expect(NEVER.has(await raw())).toBe(true);
    // An admin's "never" (the maximum) is never: setting never again writes nothing and reads nothing.
    await admin.modify(`CN=r13.contr,OU=Sales,OU=People,${samba.rosterOU}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'accountExpires', values: ['9223372036854775807'] }) }));
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBeUndefined();
    expect(connector.sameValue('accountExpires', null, undefined)).toBe(true);
  });

  it('E6 flags an admin set (DONT_EXPIRE_PASSWORD, SMARTCARD_REQUIRED) survive a disable and an enable', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.flags', department: 'Sales' }, enabled: true });
    const dn = `CN=r13.flags,OU=Sales,OU=People,${samba.rosterOU}`;
    const uac = async () => Number((await readOne('(sAMAccountName=r13.flags)', ['userAccountControl'])).userAccountControl);
    const before = await uac();
    await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(before | DONT_EXPIRE_PASSWORD | SMARTCARD_REQUIRED)] }) }));
    await connector.setEnabled(account.accountId, false);
    expect(await uac()).toBe(before | DONT_EXPIRE_PASSWORD | SMARTCARD_REQUIRED | ACCOUNTDISABLE);
    await connector.setEnabled(account.accountId, true);
    expect(await uac()).toBe(before | DONT_EXPIRE_PASSWORD | SMARTCARD_REQUIRED);
    await connector.update(account.accountId, { title: 'Rep' });
    expect(await uac()).toBe(before | DONT_EXPIRE_PASSWORD | SMARTCARD_REQUIRED);
  });

  it('E7 the initial password is in no log line and no error, even when the add fails', async () => {
    const connector = connect();
    const count = issued.length;
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'r13.pw', department: 'Sales', manager: `CN=ghost,${samba.rosterOU}` }, enabled: true }));
    const passwords = issued.slice(count);
    expect(passwords.length).toBeGreaterThan(0);
    const text = errorText(error);
    for (const password of passwords) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(`"${password}"`, 'utf16le').toString('latin1'));
      for (const line of logLines) expect(line).not.toContain(password);
    }
  });

  it('E8 renamed by an admin (CN and sAMAccountName), then updated by Roster: same account, admin\'s name replaced by Roster\'s', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.ren', department: 'Sales', employeeID: 'R13-8' }, enabled: true });
    const dn = `CN=r13.ren,OU=Sales,OU=People,${samba.rosterOU}`;
    await admin.modifyDN(dn, `CN=r13.admin,OU=Sales,OU=People,${samba.rosterOU}`);
    await admin.modify(`CN=r13.admin,OU=Sales,OU=People,${samba.rosterOU}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'sAMAccountName', values: ['r13.admin'] }) }));
    expect((await connector.get(account.accountId))?.attributes.sAMAccountName).toBe('r13.admin');
    await connector.update(account.accountId, { title: 'Lead' });
    expect((await connector.get(account.accountId))?.attributes.title).toBe('Lead');
    await connector.update(account.accountId, { sAMAccountName: 'r13.ren', department: 'Legal' });
    const read = await readOne('(employeeID=R13-8)', ['sAMAccountName', 'userPrincipalName']);
    expect(read.dn).toBe(`CN=r13.ren,OU=Legal,OU=People,${samba.rosterOU}`);
    expect(read.sAMAccountName).toBe('r13.ren');
  });

  it('E9 moved by an admin outside the base: get finds it where it is now (reconcile keeps its link), writes and a re-create are conflicts naming where it is, never a second account', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.moved', department: 'Sales', employeeID: 'R13-9' }, enabled: true });
    await admin.modifyDN(`CN=r13.moved,OU=Sales,OU=People,${samba.rosterOU}`, `CN=r13.moved,CN=Users,${samba.baseDN}`);
    expect(await connector.get(account.accountId)).toMatchObject({ accountId: account.accountId, attributes: { sAMAccountName: 'r13.moved' } });
    // Not "gone": a leaver's delete must not drop the link while the account lives on, enabled.
    // One at a time: each started only when the one before has been answered (no rejection left unhandled meanwhile).
    const attempts = [
      () => connector.update(account.accountId, { title: 'x' }), () => connector.setEnabled(account.accountId, false),
      () => connector.delete(account.accountId), () => connector.revoke(account.accountId, 'r13-group'),
    ];
    for (const attempt of attempts) {
      const error = await failure(attempt());
      expect(error.code).toBe('target.conflict');
      expect(error.message).toContain(`moved to CN=r13.moved,CN=Users,${samba.baseDN}`);
    }
    expect(Number((await readOne('(sAMAccountName=r13.moved)', ['userAccountControl'], samba.baseDN)).userAccountControl) & ACCOUNTDISABLE).toBe(0);
    const again = await failure(connector.create({ attributes: { sAMAccountName: 'r13.moved', department: 'Sales', employeeID: 'R13-9' }, enabled: true }));
    expect(again.code).toBe('target.conflict');
    expect(again.message).toContain(`CN=Users,${samba.baseDN}`);
    expect(again.message).toMatch(/probably their account/);
    // One truly gone is still gone: delete is done, update is not found.
    await admin.del(`CN=r13.moved,CN=Users,${samba.baseDN}`);
    await connector.delete(account.accountId);
    expect((await failure(connector.update(account.accountId, { title: 'x' }))).code).toBe('target.not_found');
  });

  it('E10 a CN from a display name with non-ASCII and RDN specials: created, updated without a spurious move, and moved', async () => {
    const connector = connect({ dn: `CN={displayName},OU={department},OU=People,${samba.rosterOU}` });
    const name = '#Zoë "Ja=ne", <Müller>; 李+\\ ';
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.zoe', displayName: name.trim(), department: 'Sales', employeeID: 'R13-10' }, enabled: true });
    expect((await connector.get(account.accountId))?.attributes.displayName).toBe(name.trim());
    // The same values again (as the plan sends every mapped attribute): no rename, no error.
    await connector.update(account.accountId, { displayName: name.trim(), department: 'Sales', title: 'T' });
    await connector.update(account.accountId, { displayName: name.trim(), department: 'Legal' });
    const read = await readOne('(employeeID=R13-10)', ['displayName', 'cn']);
    expect(read.cn).toBe(name.trim());
    expect(String(read.dn)).toMatch(/,OU=Legal,OU=People,/);
  });

  it('E11 an update to empty or null removes the attribute; absent ones stay', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.empty', department: 'Sales', title: 'Rep', email: 'r13@example.test', employeeID: 'R13-11' }, enabled: true });
    await connector.update(account.accountId, { title: '', email: null });
    const read = await readOne('(employeeID=R13-11)', ['title', 'mail', 'department']);
    expect(read.title ?? []).toEqual([]);
    expect(read.mail ?? []).toEqual([]);
    expect(read.department).toBe('Sales');
    await connector.update(account.accountId, { title: '' });
  });

  it('E12 HR values shaped as filter or DN injection are stored as data and find only their own account', async () => {
    const connector = connect({ key: 'employeeID' });
    const evil = '*)(objectClass=*';
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.inj', employeeID: evil, department: 'Sales,OU=Evil', title: ')(|(cn=*))' }, enabled: true });
    const read = await readOne('(sAMAccountName=r13.inj)', ['employeeID', 'department', 'title']);
    expect(read.employeeID).toBe(evil);
    // One OU whose name holds the comma and the equals sign (AD spells = as \\3D), no OU=Evil made.
    expect(String(read.dn)).toMatch(/^CN=r13\.inj,OU=Sales\\,OU(=|\\3D)Evil,OU=People,/);
    expect((await admin.search(samba.rosterOU, { scope: 'sub', filter: '(ou=Evil)', attributes: ['1.1'] })).searchEntries).toHaveLength(0);
    // A retried create looks the key up escaped: it adopts this one user, never another.
    expect((await connector.create({ attributes: { sAMAccountName: 'r13.inj', employeeID: evil, department: 'Sales,OU=Evil' }, enabled: true })).accountId).toBe(account.accountId);
  });

  it('E13 a value longer than AD allows (employeeID 16, department 64) is refused in plain words naming the attribute', async () => {
    const connector = connect();
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'r13.long', department: 'Sales', employeeID: 'E'.repeat(40) }, enabled: true }));
    expect(error.message).toMatch(/employeeID/i);
    expect(error.retryable).toBe(false);
    const department = await failure(connector.create({ attributes: { sAMAccountName: 'r13.long2', department: 'Sales', title: 'T'.repeat(200) }, enabled: true }));
    expect(department.message).toMatch(/title/i);
  });

  it('E14 a sAMAccountName differing only in case from another person\'s is a conflict; a non-ASCII one is stored as given', async () => {
    const connector = connect();
    await connector.create({ attributes: { sAMAccountName: 'r13.case', department: 'Sales', employeeID: 'R13-14a' }, enabled: true });
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'R13.Case', department: 'Legal', employeeID: 'R13-14b' }, enabled: true }));
    expect(error.code).toBe('target.conflict');
    const zoe = await connector.create({ attributes: { sAMAccountName: 'zoë.müller', department: 'Sales', displayName: 'Zoë Müller' }, enabled: true });
    expect((await connector.get(zoe.accountId))?.attributes).toMatchObject({ sAMAccountName: 'zoë.müller', userPrincipalName: 'zoë.müller@example.test' });
  });

  it('E15 a mover whose CN is taken in the new OU is refused in plain words, and stays where it was', async () => {
    const connector = connect();
    await connector.create({ attributes: { sAMAccountName: 'r13.mv', department: 'Legal', employeeID: 'R13-15a' }, enabled: true });
    const other = await connector.create({ attributes: { sAMAccountName: 'r13.mv2', department: 'Sales', employeeID: 'R13-15b' }, enabled: true });
    const connector2 = connect({ dn: `CN={cnName},OU={department},OU=People,${samba.rosterOU}`, attributes: { cnName: 'cn' } });
    const error = await failure(connector2.update(other.accountId, { cnName: 'r13.mv', department: 'Legal' }));
    expect(error.message).toMatch(/already exists/);
    expect(String((await readOne('(employeeID=R13-15b)', ['1.1'])).dn)).toMatch(/^CN=r13\.mv2,OU=Sales,/);
  });

  it('E16 an end date is read in the configured time zone: a Los Angeles contractor works through their last day there', async () => {
    const connector = connect({ timezone: 'America/Los_Angeles' });
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.la', department: 'Sales', accountExpires: '2027-03-31' }, enabled: true });
    // Midnight starting 2027-04-01 in Los Angeles (PDT, UTC-7) is 07:00 UTC.
    const at = (await readOne('(sAMAccountName=r13.la)', ['accountExpires'])).accountExpires;
    expect(at).toBe(((BigInt(Date.UTC(2027, 3, 1, 7)) + 11_644_473_600_000n) * 10_000n).toString());
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBe('2027-03-31');
    expect(connector.sameValue('accountExpires', '2027-03-31', '2027-03-31')).toBe(true);
    // In winter (PST, UTC-8) too.
    await connector.update(account.accountId, { accountExpires: '2027-12-31' });
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBe('2027-12-31');
    expect((await readOne('(sAMAccountName=r13.la)', ['accountExpires'])).accountExpires).toBe(((BigInt(Date.UTC(2028, 0, 1, 8)) + 11_644_473_600_000n) * 10_000n).toString());
  });

  it('E16b without users.timezone, an end date ends in the lifecycle\'s time zone (the engine passes lifecycle.timezone)', async () => {
    const connector = connect({}, 'America/Los_Angeles');
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.la2', department: 'Sales', accountExpires: '2027-03-31' }, enabled: true });
    expect((await readOne('(sAMAccountName=r13.la2)', ['accountExpires'])).accountExpires).toBe(((BigInt(Date.UTC(2027, 3, 1, 7)) + 11_644_473_600_000n) * 10_000n).toString());
    expect((await connector.get(account.accountId))?.attributes.accountExpires).toBe('2027-03-31');
    // users.timezone, when set, wins over the lifecycle's.
    const utc = connect({ timezone: 'UTC' }, 'America/Los_Angeles');
    await utc.update(account.accountId, { accountExpires: '2027-03-31' });
    expect((await readOne('(sAMAccountName=r13.la2)', ['accountExpires'])).accountExpires).toBe(((BigInt(Date.UTC(2027, 3, 1)) + 11_644_473_600_000n) * 10_000n).toString());
  });

  it('E17 an account an admin made without a password, adopted by a create, is enabled with an initial password that must be changed', async () => {
    const connector = connect();
    await admin.add(`OU=Sales,OU=People,${samba.rosterOU}`, [new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] })]).catch(() => undefined);
    await admin.add(`CN=r13.pre,OU=Sales,OU=People,${samba.rosterOU}`, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['r13.pre'] }),
      new Attribute({ type: 'employeeID', values: ['R13-17'] }),
    ]);
    const before = Number((await readOne('(sAMAccountName=r13.pre)', ['userAccountControl'])).userAccountControl);
    expect(before & PASSWD_NOTREQD).toBe(PASSWD_NOTREQD);
    const count = issued.length;
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.pre', department: 'Sales', employeeID: 'R13-17' }, enabled: true });
    expect(account.enabled).toBe(true);
    const user = await readOne('(sAMAccountName=r13.pre)', ['userAccountControl', 'pwdLastSet']);
    expect(Number(user.userAccountControl) & ACCOUNTDISABLE).toBe(0);
    // Enabled means with a password: never PASSWD_NOTREQD on an account Roster enables.
    expect(Number(user.userAccountControl) & PASSWD_NOTREQD).toBe(0);
    expect(user.pwdLastSet).toBe('0');
    const password = issued.at(-1) ?? '';
    expect(issued.length).toBeGreaterThan(count);
    expect(await bindError('r13.pre@example.test', password)).toMatch(/data 773/);
    expect(await bindError('r13.pre@example.test', '')).not.toBe('');
    for (const line of logLines) expect(line).not.toContain(password);
    expect(before & ACCOUNTDISABLE).toBe(ACCOUNTDISABLE);
  });

  it('E18 without createOUs, a joiner or mover whose OU does not exist is refused naming that OU', async () => {
    const connector = connect({ createOUs: false });
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'r13.noou', department: 'Nowhere' }, enabled: true }));
    expect(error.message).toContain(`OU=Nowhere,OU=People,${samba.rosterOU}`);
    const account = await connect().create({ attributes: { sAMAccountName: 'r13.noou2', department: 'Sales' }, enabled: true });
    const move = await failure(connector.update(account.accountId, { department: 'Nowhere' }));
    expect(move.message).toContain(`OU=Nowhere,OU=People,${samba.rosterOU}`);
    expect(move.message).toMatch(/createOUs/);
    // With createOUs, the mover's new OU is made.
    await connect().update(account.accountId, { department: 'Brand New' });
    expect(String((await readOne('(sAMAccountName=r13.noou2)', ['1.1'])).dn)).toBe(`CN=r13.noou2,OU=Brand New,OU=People,${samba.rosterOU}`);
  });

  it('E19 renaming the sAMAccountName to one another account holds is refused in plain words', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r13.sam1', department: 'Sales' }, enabled: true });
    const error = await failure(connector.update(account.accountId, { sAMAccountName: 'Administrator' }));
    expect(error.message).toMatch(/already taken|already exists/);
    expect(error.retryable).toBe(false);
  });
});
