import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import type { SyncResult } from '../../src/engine/types.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * A directory compares employeeNumber with caseIgnoreMatch: an entry whose
 * employeeNumber is rewritten from `e7` to `E7` is the same person to it, and
 * must be to Roster too (lifecycle/respelled.ts): no joiner, nobody gone, no
 * account created or disabled, and a `source.key_respelled` warning.
 */
let slapd: RunningSlapd;
let client: Client;
let engine: RosterEngine;
let dir: string;
const people = () => `ou=people,${slapd.suffix}`;

function person(uid: string, employeeNumber: string) {
  return {
    objectClass: ['inetOrgPerson'], uid, cn: uid, sn: `Surname ${uid}`, givenName: `Given ${uid}`, mail: `${uid}@example.com`, employeeNumber,
  };
}

const respelled = (sync: SyncResult) => sync.ingests.flatMap((i) => i.diagnostics).filter((d) => d.code === 'source.key_respelled');

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  client = new Client({ url: slapd.url });
  await client.bind(slapd.bindDN, slapd.password);
  for (const [uid, key] of [['ada', 'e7'], ['alan', 'E2'], ['grace', 'E3'], ['linus', 'E4']] as const) {
    await client.add(`uid=${uid},${people()}`, person(uid, key));
  }
  dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-respelled-'));
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: corp
    type: ldap
    key: employeeNumber
    connection:
      url: ${slapd.url}
      bindDN: ${slapd.bindDN}
      password: \${env:LDAP_PASSWORD}
      base: ${people()}
    attributes: { givenName: givenName, familyName: sn, email: mail }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.email, familyName: identity.familyName }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`);
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { LDAP_PASSWORD: slapd.password }, log: silentLogger }) as RosterEngine;
});

afterAll(async () => {
  await (engine as Engine | undefined)?.close();
  await client?.unbind();
  await slapd?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('ldap source: an employeeNumber respelled in letter case between passes (review13)', () => {
  it('first sync: four people, four accounts', async () => {
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ received: 4, created: 4 });
    expect(sync.result).toMatchObject({ applied: 4, failed: 0 });
    expect((await engine.store.identities.get('e7'))?.attributes.employeeNumber).toBe('e7');
  });

  it('an incremental pass reading E7 takes it as the stored e7 and warns', async () => {
    await client.modify(`uid=ada,${people()}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'employeeNumber', values: ['E7'] }) }));
    const result = await engine.readSource('corp', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 1, created: 0, missing: 0, affected: ['e7'] });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', source: 'corp', key: 'E7', storedKey: 'e7' })]);
    expect(await engine.store.identities.get('E7')).toBeUndefined();
  });

  it('a full pass (sync) with E7: the same identity, nobody gone, no account created or disabled, the warning again', async () => {
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ received: 4, created: 0, missing: 0 });
    expect(sync.plan.changes.map((c) => `${c.action} ${c.identity}`)).toEqual([]);
    expect(respelled(sync)).toEqual([expect.objectContaining({ severity: 'warning', key: 'E7', storedKey: 'e7' })]);
    expect(respelled(sync)[0]!.message).toMatch(/key "E7" (\(line \d+\) )?is stored as "e7"/);
    expect(await engine.store.identities.get('e7')).toMatchObject({ state: 'active', attributes: { employeeNumber: 'E7' } });
    expect((await engine.store.identities.list({ sourceId: 'corp' })).map((i) => i.id).sort()).toEqual(['E2', 'E3', 'E4', 'e7']);
    expect((await engine.store.accounts.listByIdentity('e7')).map((l) => l.enabled)).toEqual([true]);
  });
});
