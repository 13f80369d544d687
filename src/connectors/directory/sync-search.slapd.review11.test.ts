import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LDAP_REQUEST, startLdapLink, type LdapLink } from '../../../test/support/ldap-link.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { DirectoryReader } from '../../sources/directory/search.js';
import { ClientPool } from './pool.js';
import { syncSearch } from './sync-search.js';

/**
 * A sync refresh (RFC 4533, one unpaged search) against a real slapd with
 * syncprov, through a link that can be slow or go silent: it is timed out
 * only when the server sends nothing for timeoutMs, not when it takes longer
 * than that in all.
 */

const PEOPLE = 1500;
let slapd: RunningSlapd;
let link: LdapLink;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, syncprov: { sessionlog: 100 } });
  const admin = new Client({ url: slapd.url });
  await admin.bind(slapd.bindDN, slapd.password);
  for (let i = 0; i < PEOPLE; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, PEOPLE - i) }, (_, j) => {
      const uid = `p${i + j}`;
      return admin.add(`uid=${uid},ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, employeeNumber: `E${i + j}` });
    }));
  }
  // slapd 2.5's syncprov can leave contextCSN behind the entryCSN of a few of many concurrent adds, and a refresh without a cookie
  // then leaves those entries out until the next write: one more write, alone, brings contextCSN up to date.
  await admin.modify(`ou=people,${slapd.suffix}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['loaded'] }) }));
  await admin.unbind();
  link = await startLdapLink(slapd.url);
}, 120_000);

afterAll(async () => {
  await link?.close();
  await slapd?.stop();
});

const base = () => `ou=people,${slapd.suffix}`;

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return condition();
}

describe('sync refresh timed by silence, not by its length (real slapd)', () => {
  it(`a refresh of ${PEOPLE} entries over a slow link takes many times timeoutMs and succeeds`, async () => {
    const timeoutMs = 250;
    // 10 messages every 10 ms: about 1.5 s for the refresh, the server never quiet for more than a few ms.
    link.throttle(10, 10);
    try {
      // The link is slow enough that a search timed as a whole fails (what a sync search was, before).
      const plain = new Client({ url: link.url, timeout: timeoutMs });
      await plain.bind(slapd.bindDN, slapd.password);
      const whole = await plain.search(base(), { filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] }).then(() => 'finished', (e: unknown) => String(e));
      expect(whole).toMatch(/Operation timed out/);
      await plain.unbind().catch(() => undefined);

      const pool = new ClientPool({ url: link.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size: 1, timeoutMs, connectTimeoutMs: 5000 });
      try {
        const client = await pool.lease();
        const started = Date.now();
        const result = await syncSearch(client, { base: base(), filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'employeeNumber'] });
        const took = Date.now() - started;
        expect(result.entries.length).toBe(PEOPLE);
        expect(new Set(result.entries.map((e) => e.uuid)).size).toBe(PEOPLE);
        expect(result.cookie?.toString()).toMatch(/^rid=000,csn=/);
        expect(took).toBeGreaterThan(4 * timeoutMs);
        // ldapts's own per-operation timeout is back for every other request on the connection.
        expect((client as unknown as { clientOptions: { timeout: number } }).clientOptions.timeout).toBe(timeoutMs);
        process.stdout.write(`sync refresh of ${PEOPLE} entries over the slow link: ${took} ms with timeoutMs ${timeoutMs}\n`);
      } finally {
        await pool.close();
      }
    } finally {
      link.throttle(0, 0);
    }
  });

  it('a server that goes silent mid-refresh fails the pass after about timeoutMs; the search is abandoned, the connection closed, the next pass reads on a fresh one', async () => {
    const timeoutMs = 500;
    const reader = new DirectoryReader('corp', {
      url: link.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, timeoutMs, connectTimeoutMs: 5000, pageSize: 100, base: base(),
    }, '/tmp');
    try {
      const openedBefore = link.opened;
      const abandonsBefore = link.requests(LDAP_REQUEST.abandon);
      link.muteAfter(100);
      const started = Date.now();
      const failure = await reader.sync('(objectClass=inetOrgPerson)', ['uid'], undefined).then(() => undefined, (e: unknown) => e);
      const took = Date.now() - started;
      expect(failure).toMatchObject({ code: 'source.unavailable', retryable: true });
      expect((failure as Error).message).toMatch(/sent nothing for 500 ms in the middle of a search/);
      expect(took).toBeGreaterThanOrEqual(timeoutMs - 20);
      expect(took).toBeLessThan(timeoutMs + 1000);
      // The server was told to stop (the Abandon reached it), and the connection is gone.
      expect(link.requests(LDAP_REQUEST.abandon)).toBe(abandonsBefore + 1);
      expect(await waitFor(() => link.open === 0, 2000)).toBe(true);

      link.speak();
      const again = await reader.sync('(objectClass=inetOrgPerson)', ['uid'], undefined);
      expect(again.entries.length).toBe(PEOPLE);
      expect(link.opened).toBe(openedBefore + 2);
    } finally {
      link.speak();
      await reader.close();
    }
  });

  it('a server that answers nothing at all to the sync search fails it after about timeoutMs too', async () => {
    const timeoutMs = 300;
    const reader = new DirectoryReader('corp', {
      url: link.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, timeoutMs, connectTimeoutMs: 5000, pageSize: 100, base: base(),
    }, '/tmp');
    try {
      // Bound first (the bind is answered), then the server goes quiet.
      await reader.rootDse();
      link.muteAfter(0);
      const started = Date.now();
      const failure = await reader.sync('(objectClass=inetOrgPerson)', ['uid'], undefined).then(() => undefined, (e: unknown) => e);
      expect(failure).toMatchObject({ code: 'source.unavailable', retryable: true });
      expect(Date.now() - started).toBeLessThan(timeoutMs + 1000);
    } finally {
      link.speak();
      await reader.close();
    }
  });
});
