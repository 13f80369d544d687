import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * Review 13: an ldap source read by a bind DN the directory's ACLs keep
 * from some attributes. The directory answers exactly as if the entries did
 * not have them, so what Roster can do is say so, and never take a person
 * whose key it may not read for a leaver.
 */
const SUFFIX = 'dc=example,dc=com';
const BASE = `ou=people,${SUFFIX}`;
const ROSTER = `cn=roster,${SUFFIX}`;
let slapd: RunningSlapd;
let client: Client;
let engine: RosterEngine;
let dir: string;
const warnings: { message: string; fields: unknown }[] = [];

function person(uid: string, employeeNumber: string) {
  return { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: `Surname ${uid}`, givenName: `Given ${uid}`, mail: `${uid}@example.com`, employeeNumber };
}

beforeAll(async () => {
  slapd = await startSlapd({
    randomPort: true, suffix: SUFFIX, serviceAccount: true,
    acl: [
      `to dn.subtree="${BASE}" attrs=mail,modifyTimestamp by dn.exact="${ROSTER}" none by * read`,
      `to dn.exact="uid=h2,${BASE}" attrs=employeeNumber by dn.exact="${ROSTER}" none by * read`,
    ],
  });
  client = new Client({ url: slapd.url });
  await client.bind(slapd.bindDN, slapd.password);
  for (let i = 1; i <= 4; i++) await client.add(`uid=h${i},${BASE}`, person(`h${i}`, `H${i}`));
  dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-acl-review13-'));
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: corp
    type: ldap
    key: employeeNumber
    maxMissing: 50%
    connection:
      url: ${slapd.url}
      bindDN: \${env:LDAP_BIND}
      password: \${env:LDAP_PASSWORD}
      base: ${BASE}
    attributes: { givenName: givenName, email: mail }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.givenName }
`);
  const log: Logger = { ...silentLogger, warn: (message, fields) => { warnings.push({ message, fields }); } };
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { LDAP_PASSWORD: slapd.password, LDAP_BIND: slapd.serviceDN ?? '' }, log }) as RosterEngine;
});

afterAll(async () => {
  await (engine as Engine | undefined)?.close();
  await client?.unbind();
  await slapd?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('ldap source read by a bind the ACLs restrict (review 13)', () => {
  it('an entry whose key the bind may not read is a problem naming it, and keeps everyone from being gone', async () => {
    const full = await engine.readSource('corp', 'test');
    expect(full).toMatchObject({ received: 3, created: 3, missing: 0 });
    expect(full.problems).toEqual([expect.objectContaining({ message: `entry uid=h2,${BASE} has no employeeNumber: it cannot be correlated` })]);
    // h4 deleted: with h2's key unreadable, h4 could be h2's person; nobody is gone.
    await client.del(`uid=h4,${BASE}`);
    const again = await engine.readSource('corp', 'test', { mode: 'full' });
    expect(again).toMatchObject({ received: 2, missing: 0 });
    expect((await engine.store.identities.get('H4'))?.state).toBe('active');
  });

  it('a mapped attribute, or modifyTimestamp, the bind may not read on any entry is warned of in the log, naming it', async () => {
    warnings.length = 0;
    await engine.readSource('corp', 'test', { mode: 'full' });
    expect(warnings.filter((w) => w.message.startsWith('directory source'))).toEqual([
      expect.objectContaining({ message: expect.stringContaining('no entry of this full pass has modifyTimestamp'), fields: { source: 'corp', entries: 3 } }),
      expect.objectContaining({
        message: expect.stringContaining('no entry of this full pass has these mapped attributes'),
        fields: expect.objectContaining({ source: 'corp', attributes: ['mail'], identityAttributes: ['email'] }),
      }),
    ]);
    // Without modifyTimestamp there is no cursor: an incremental pass reads in full (still right, never a partial snapshot).
    expect(await engine.store.state.get('cursor:source:corp')).toBeUndefined();
    expect(await engine.readSource('corp', 'test', { mode: 'incremental' })).toMatchObject({ received: 2, missing: 0 });
  });
});
