import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient } from './directory-config.js';
import { equalityFilter } from '../../src/connectors/directory/escape.js';
export { tearDown } from './directory-config.js';
export { person } from './helpers.js';
import { csv, type Person } from './helpers.js';

export const DAY = 86_400_000;

export interface World {
  slapd: RunningSlapd;
  engine: Engine;
  dir: string;
  admin: Client;
  clock: { now: Date };
  hr: Person[];
}

export function yaml(slapd: RunningSlapd, connection: string, extra = '', uid = 'identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()', more = ''): string {
  const s = slapd.suffix;
  return `store: sqlite:./data/roster.db
lifecycle: { prehireLeadDays: 7, timezone: UTC }
sources:
  - id: hr
    type: csv
    path: ./employees.csv
    key: employeeId
    fields: { startDate: startDate, endDate: endDate, status: status, employmentType: employmentType, manager: managerId }
    maxMissing: 90%
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: ${slapd.password}
${connection.replace(/\$S/g, s).split('\n').map((l) => `      ${l}`).join('\n')}
    accountKey: uid
    attributes:
      uid: ${uid}
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
      email: identity.email
      department: identity.department
      employeeNumber: identity.employeeId
${more}    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100% }
    executor: { concurrency: 4, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }
${extra.replace(/\$S/g, s)}`;
}

export async function openWorld(connection: string, extra: string, seed?: (admin: Client, s: string) => Promise<void>, uid?: string, more?: string): Promise<World> {
  const slapd = await startSlapd({ randomPort: true });
  const admin = await adminClient(slapd);
  if (seed !== undefined) await seed(admin, slapd.suffix);
  const dir = mkdtempSync(join(tmpdir(), 'roster-r20-'));
  writeFileSync(join(dir, 'roster.yaml'), yaml(slapd, connection, extra, uid, more));
  writeFileSync(join(dir, 'employees.csv'), csv([]));
  const clock = { now: new Date('2026-03-02T09:00:00Z') };
  const engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  await engine.reconcile('corp-ldap', { actor: 'test', force: true });
  return { slapd, engine, dir, admin, clock, hr: [] };
}

export async function sync(w: World) {
  writeFileSync(join(w.dir, 'employees.csv'), csv(w.hr));
  const result = await w.engine.sync({ actor: 'test' });
  return result;
}

export async function secondPlanEmpty(w: World) {
  const again = await sync(w);
  return again.plan.changes.map((c) => `${c.action} ${c.identity} ${JSON.stringify(c.after ?? c.before)}`);
}

export async function entryOf(w: World, id: string) {
  const link = (await w.engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
  if (link === undefined) return undefined;
  const { searchEntries } = await w.admin.search(w.slapd.suffix, { scope: 'sub', filter: `(entryUUID=${link.accountId})`, attributes: ['*', 'memberOf'] });
  return { link, entry: searchEntries[0] };
}

export async function groupValues(w: World, cn: string, attribute: string): Promise<string[]> {
  const { searchEntries } = await w.admin.search(`cn=${cn},ou=groups,${w.slapd.suffix}`, { scope: 'base', attributes: [attribute] });
  const raw = searchEntries[0]?.[attribute] ?? [];
  return (Array.isArray(raw) ? raw : [raw]).map(String).map((v) => v.toLowerCase()).sort();
}


/**
 * An administrator's modify DN, then the wait for slapd's refint overlay: it
 * rewrites the group values naming the old DN after it has answered the
 * modify DN, and a read before that sees the entry in none of its groups.
 */
export async function moveByHand(w: World, from: string, to: string): Promise<void> {
  await w.admin.modifyDN(from, to);
  const filter = `(|${equalityFilter('member', from)}${equalityFilter('uniqueMember', from)})`;
  for (const deadline = Date.now() + 5_000; ; await new Promise((resolve) => setTimeout(resolve, 25))) {
    const { searchEntries } = await w.admin.search(`ou=groups,${w.slapd.suffix}`, { scope: 'sub', filter, attributes: ['1.1'] });
    if (searchEntries.length === 0) return;
    if (Date.now() > deadline) throw new Error(`refint did not follow ${from} -> ${to} within 5 s`);
  }
}
