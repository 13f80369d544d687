import { Client } from 'ldapts';
import type { Logger } from '../../src/connectors/types.js';
import type { Engine } from '../../src/engine/types.js';
import type { SlapdFixture } from './slapd-fixture.js';

/**
 * What a person could do with their password on a test slapd, as a login
 * form would: find the entry by uid, then bind to it. For the tests of
 * disable.password and of passwords on enable (src/connectors/ldap).
 */

/** The entry's DN now (a disable by move changes it), found by uid. */
export async function dnOf(fx: SlapdFixture, uid: string): Promise<string> {
  const { searchEntries } = await fx.admin.search(fx.slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['1.1'] });
  const dn = searchEntries[0]?.dn;
  if (dn === undefined) throw new Error(`no entry for ${uid}`);
  return dn;
}

/** The entry's userPassword values (read as the rootDN). */
export async function passwordOf(fx: SlapdFixture, uid: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(fx.slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['userPassword'] });
  const value = searchEntries[0]?.userPassword;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** A simple bind as the entry holding `uid`: 'ok', or the error's class and LDAP result code (REFUSED for 49). */
export async function bindAs(fx: SlapdFixture, uid: string, password: string): Promise<string> {
  const client = new Client({ url: fx.slapd.url });
  try {
    await client.bind(await dnOf(fx, uid), password);
    return 'ok';
  } catch (error) {
    return `${(error as Error).constructor.name}:${String((error as { code?: unknown }).code)}`;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** What bindAs answers for a wrong password. */
export const REFUSED = 'InvalidCredentialsError:49';

/** Whether a simple bind as the entry holding `uid` succeeds. */
export const binds = async (fx: SlapdFixture, uid: string, password: string): Promise<boolean> => (await bindAs(fx, uid, password)) === 'ok';

/** A logger keeping each line as "level message {fields}", to check what was said (and that no password was). */
export function capture(): { readonly log: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>): void => { lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`); };
  return { log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }, lines };
}

/** The bind DN of an ordinary service account (not the rootDN, so held to the ACLs): see serviceAcl. */
export const serviceDn = (suffix: string): string => `cn=roster,${suffix}`;

/**
 * olcAccess rules (SlapdOptions.acl) for a directory Roster binds to as
 * serviceDn: `first` (a rule about the disabled OU, such as the one
 * docs/directories.md gives for `move`), then the service account may write
 * everything, passwords included, and users may bind.
 */
export function serviceAcl(suffix: string, first: string): string[] {
  const service = serviceDn(suffix);
  return [first, `to attrs=userPassword by dn.exact="${service}" write by anonymous auth by * none`, `to * by dn.exact="${service}" write by users read by * none`];
}

/** Add the serviceDn entry, with `password`, as the rootDN (`admin`). */
export async function addServiceAccount(admin: Client, suffix: string, password: string): Promise<void> {
  await admin.add(serviceDn(suffix), { objectClass: ['organizationalRole', 'simpleSecurityObject'], cn: ['roster'], userPassword: [password] });
}

/** Whether a simple bind at `dn` with `password` succeeds. */
export async function bindsAt(url: string, dn: string, password: string): Promise<boolean> {
  const client = new Client({ url });
  try {
    await client.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** The entry linked to `identity` in target corp-ldap (by its entryUUID): its DN, and how many userPassword values it holds. */
export async function linkedEntry(engine: Engine, admin: Client, suffix: string, identity: string): Promise<{ dn: string; passwords: number }> {
  const link = (await engine.store.accounts.listByIdentity(identity)).find((l) => l.target === 'corp-ldap');
  const { searchEntries } = await admin.search(suffix, { scope: 'sub', filter: `(entryUUID=${link?.accountId ?? 'none'})`, attributes: ['userPassword'] });
  const raw = searchEntries[0]?.userPassword;
  return { dn: searchEntries[0]?.dn ?? '', passwords: raw === undefined ? 0 : [raw].flat().length };
}
