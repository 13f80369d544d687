import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import type { RunningSamba } from './samba.js';

/**
 * An `ad` source reading one OU of the test Samba AD DC into an engine of
 * its own (SQLite, a memory target): the e2e tests of leavers in incremental
 * passes build their people and passes on it.
 */

/** The password of every person added (meets Samba's default policy). */
export const AD_PERSON_PASSWORD = 'Roster-Person-Passw0rd!';

export interface AdSourceOptions {
  readonly filter: string;
  readonly maxMissing?: string;
  readonly complete?: boolean;
  readonly pageSize?: number;
  /** Another bind than the domain admin (with `password`). */
  readonly bindDN?: string;
  readonly password?: string;
}

export interface AdSourceWorld {
  readonly id: string;
  readonly base: string;
  readonly dir: string;
  /** Every warning the engine logged, with its fields as JSON. */
  readonly warnings: string[];
  engine: RosterEngine;
}

/** A person: `dn`'s first RDN value (unescaped) names the account; enabled unless `uac` says otherwise. */
export async function addAdPerson(client: Client, dn: string, employeeID: string, uac = '512'): Promise<void> {
  const cn = /^CN=((?:[^,\\]|\\.)+),/.exec(dn)![1]!.replace(/\\/g, '');
  const values: Record<string, string | string[]> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: cn.slice(0, 20), givenName: `Given ${cn}`, sn: `Surname ${cn}`,
    department: 'Engineering', userAccountControl: uac, employeeID,
  };
  const attributes = Object.entries(values).map(([type, value]) => new Attribute({ type, values: Array.isArray(value) ? value : [value] }));
  await client.add(dn, [...attributes, new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${AD_PERSON_PASSWORD}"`, 'utf16le')] })]);
}

export async function addAdOU(client: Client, dn: string): Promise<void> {
  const ou = /^OU=((?:[^,\\]|\\.)+),/.exec(dn)![1]!.replace(/\\(.)/g, '$1');
  await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou });
}

/** People with an employeeID: the filter the source tests start from. */
export const AD_PERSON_FILTER = '(&(objectClass=user)(objectCategory=person)(employeeID=*))';
/** LDAP_MATCHING_RULE_IN_CHAIN. */
export const AD_IN_CHAIN = '1.2.840.113556.1.4.1941';

/** Add `dn` to a group's member, or take it out. */
export function memberChange(operation: 'add' | 'delete', dn: string): Change {
  return new Change({ operation, modification: new Attribute({ type: 'member', values: [dn] }) });
}

/** The identities a pass found missing from the source. */
export const missingIn = (result: Awaited<ReturnType<typeof adPass>>): string[] =>
  result.events.filter((e) => e.kind === 'missing').map((e) => e.identityId);

export function replaceValue(type: string, value: string): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
}

/** An engine whose source `id` reads `base` (which must exist) with `options`. */
export async function openAdSourceWorld(samba: RunningSamba, id: string, base: string, options: AdSourceOptions): Promise<AdSourceWorld> {
  const dir = mkdtempSync(join(tmpdir(), `roster-ad-source-${id}-`));
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  const world = { id, base, dir, warnings: [] as string[] };
  return { ...world, engine: await openWith(samba, world, options) };
}

/** Close the world's engine and open it again on the same store with other options. */
export async function reopenAdSourceWorld(samba: RunningSamba, world: AdSourceWorld, options: AdSourceOptions): Promise<void> {
  await world.engine.close();
  world.engine = await openWith(samba, world, options);
}

export async function closeAdSourceWorld(world: AdSourceWorld | undefined): Promise<void> {
  await world?.engine.close();
  if (world !== undefined) rmSync(world.dir, { recursive: true, force: true });
}

export const adPass = (world: AdSourceWorld, mode: 'full' | 'incremental') => world.engine.readSource(world.id, 'test', { mode });
export const adStateOf = async (world: AdSourceWorld, id: string) => (await world.engine.store.identities.get(id))?.state;

async function openWith(samba: RunningSamba, world: Pick<AdSourceWorld, 'id' | 'base' | 'dir' | 'warnings'>, options: AdSourceOptions): Promise<RosterEngine> {
  writeFileSync(join(world.dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: ${world.id}
    type: ad
    key: employeeID
    maxMissing: ${options.maxMissing ?? '50%'}
${options.complete === undefined ? '' : `    complete: ${options.complete}\n`}    connection:
      url: ${samba.url}
      bindDN: '${options.bindDN ?? samba.bindDN}'
      password: \${env:AD_PASSWORD}
      tls: { ca: ./ca.pem }
      base: '${world.base}'
      filter: '${options.filter}'
      pageSize: ${options.pageSize ?? 2}
    attributes: { givenName: givenName, familyName: sn, department: department, username: sAMAccountName }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.username }
`);
  const log: Logger = { ...silentLogger, warn: (message, fields) => { world.warnings.push(`${message} ${JSON.stringify(fields)}`); } };
  return await openEngine(join(world.dir, 'roster.yaml'), { env: { AD_PASSWORD: options.password ?? samba.password }, log }) as RosterEngine;
}
