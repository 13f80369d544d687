import { Client } from 'ldapts';
import type { Logger } from '../../src/connectors/types.js';
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
