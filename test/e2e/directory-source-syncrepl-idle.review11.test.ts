import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { LDAP_REQUEST, startLdapLink, type LdapLink } from '../support/ldap-link.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * An ldap source with `changes: syncrepl` and a small `timeoutMs`, read
 * through a slow link: its full refresh (one unpaged sync search) takes many
 * times timeoutMs and completes; a server that goes silent in the middle
 * fails the pass after about timeoutMs, and the next pass reads again.
 */

const PEOPLE = 800;
const TIMEOUT_MS = 300;
let slapd: RunningSlapd;
let link: LdapLink;
let engine: RosterEngine;
let dir: string;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, syncprov: { sessionlog: 100 } });
  const admin = new Client({ url: slapd.url });
  await admin.bind(slapd.bindDN, slapd.password);
  for (let i = 0; i < PEOPLE; i += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, j) => {
      const uid = `p${i + j}`;
      return admin.add(`uid=${uid},ou=people,${slapd.suffix}`, {
        objectClass: ['inetOrgPerson'], uid, cn: uid, sn: `S${uid}`, givenName: `G${uid}`, mail: `${uid}@example.com`, employeeNumber: `E${i + j}`,
      });
    }));
  }
  // slapd 2.5's syncprov can leave contextCSN behind the entryCSN of a few of many concurrent adds, and a refresh without a cookie
  // then leaves those entries out until the next write: one more write, alone, brings contextCSN up to date.
  await admin.modify(`ou=people,${slapd.suffix}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['loaded'] }) }));
  await admin.unbind();
  link = await startLdapLink(slapd.url);
  dir = mkdtempSync(join(tmpdir(), 'roster-sync-idle-'));
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: corp
    type: ldap
    key: employeeNumber
    changes: syncrepl
    connection:
      url: ${link.url}
      bindDN: ${slapd.bindDN}
      password: \${env:LDAP_PASSWORD}
      base: ou=people,${slapd.suffix}
      timeoutMs: ${TIMEOUT_MS}
      # A full refresh is checked against a paged search of entryUUIDs (sync-check.ts), each page a request of its own within timeoutMs.
      pageSize: 50
    attributes: { givenName: givenName, familyName: sn, email: mail }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeNumber, email: identity.email }
`);
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { LDAP_PASSWORD: slapd.password }, log: silentLogger }) as RosterEngine;
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await link?.close();
  await slapd?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe(`syncrepl source with timeoutMs ${TIMEOUT_MS} over a slow link`, () => {
  it(`the first pass, a full refresh of ${PEOPLE} people taking several times timeoutMs, completes`, async () => {
    link.throttle(5, 10);
    try {
      const started = Date.now();
      const result = await engine.readSource('corp', 'test', { mode: 'incremental' });
      const took = Date.now() - started;
      expect(result).toMatchObject({ received: PEOPLE, created: PEOPLE, missing: 0 });
      expect(took).toBeGreaterThan(3 * TIMEOUT_MS);
      expect((await engine.store.state.get<{ kind: string }>('cursor:source:corp'))?.kind).toBe('sync');
    } finally {
      link.throttle(0, 0);
    }
  });

  it('a server silent in the middle of a full refresh fails the pass after about timeoutMs, nobody marked missing; the next pass succeeds', async () => {
    const abandons = link.requests(LDAP_REQUEST.abandon);
    link.muteAfter(200);
    const started = Date.now();
    const failure = await engine.readSource('corp', 'test', { mode: 'full' }).then(() => undefined, (e: unknown) => e);
    const took = Date.now() - started;
    link.speak();
    expect(failure).toMatchObject({ code: 'source.unavailable', retryable: true });
    expect((failure as Error).message).toMatch(new RegExp(`sent nothing for ${TIMEOUT_MS} ms`));
    expect(took).toBeLessThan(TIMEOUT_MS + 1500);
    expect(link.requests(LDAP_REQUEST.abandon)).toBe(abandons + 1);
    expect((await engine.store.identities.get('E799'))?.state).toBe('active');
    const again = await engine.readSource('corp', 'test', { mode: 'full' });
    expect(again).toMatchObject({ received: PEOPLE, unchanged: PEOPLE, missing: 0 });
  });
});
