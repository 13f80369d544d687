import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LDAP_REQUEST, startLdapLink, type LdapLink } from '../../../test/support/ldap-link.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { DirectoryReader } from '../../sources/directory/search.js';

/**
 * Review of a681393: a sync refresh is timed out on silence. A server (or a
 * link) that trickles a byte every timeoutMs / 2 is never silent for
 * timeoutMs, yet gets nowhere: the pass must still end, abandoned and
 * closed, with no timer left running, and the next pass on the same reader
 * must read on a fresh connection.
 */
const PEOPLE = 300;
const BIG = 3;
let slapd: RunningSlapd;
let link: LdapLink;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, syncprov: { sessionlog: 100 } });
  const admin = new Client({ url: slapd.url });
  await admin.bind(slapd.bindDN, slapd.password);
  for (let i = 0; i < PEOPLE; i++) {
    const uid = `t${i}`;
    await admin.add(`uid=${uid},ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, description: 'x'.repeat(200) });
  }
  for (let i = 0; i < 3; i++) {
    await admin.add(`uid=big${i},ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid: `big${i}`, cn: `big${i}`, sn: 'big', description: 'y'.repeat(4000) });
  }
  await admin.unbind();
  link = await startLdapLink(slapd.url);
}, 120_000);

afterAll(async () => {
  await link?.close();
  await slapd?.stop();
});

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('a sync refresh from a server that trickles one byte every timeoutMs / 2', () => {
  it('fails after a bounded time, abandoned and closed, no timer left; the next pass on the reader reads on a fresh connection', async () => {
    const timeoutMs = 400;
    const reader = new DirectoryReader('corp', {
      url: link.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, timeoutMs, connectTimeoutMs: 5000, pageSize: 100,
      base: `ou=people,${slapd.suffix}`,
    }, '/tmp');
    try {
      await reader.rootDse();
      const timersBefore = timers();
      const abandons = link.requests(LDAP_REQUEST.abandon);
      const opened = link.opened;
      link.trickleAfter(20, timeoutMs / 2);
      const started = Date.now();
      const failure = await reader.sync('(objectClass=inetOrgPerson)', ['uid', 'description'], undefined).then(() => undefined, (e: unknown) => e);
      const took = Date.now() - started;
      process.stdout.write(`trickling server: the sync failed after ${took} ms (timeoutMs ${timeoutMs})\n`);
      expect(failure).toMatchObject({ code: 'source.unavailable', retryable: true });
      expect((failure as Error).message).toMatch(/timeoutMs/);
      expect(took).toBeLessThan(3 * timeoutMs + 1000);
      expect(link.requests(LDAP_REQUEST.abandon)).toBe(abandons + 1);
      // Nothing of the failed search keeps the process alive.
      await new Promise((r) => setTimeout(r, 50));
      expect(timers()).toBeLessThanOrEqual(timersBefore);

      link.speak();
      const again = await reader.sync('(objectClass=inetOrgPerson)', ['uid'], undefined);
      expect(again.entries.length).toBe(PEOPLE + BIG);
      expect(link.opened).toBe(opened + 1);
    } finally {
      link.speak();
      await reader.close();
    }
  }, 20_000);

  it('entries each longer than timeoutMs to arrive, coming 600 bytes every timeoutMs / 3, are read: bytes are progress', async () => {
    const timeoutMs = 300;
    const reader = new DirectoryReader('corp', {
      url: link.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, timeoutMs, connectTimeoutMs: 5000, pageSize: 100,
      base: `ou=people,${slapd.suffix}`,
    }, '/tmp');
    try {
      await reader.rootDse();
      link.trickleAfter(0, timeoutMs / 3, 600);
      const started = Date.now();
      const read = await reader.sync('(uid=big*)', ['uid', 'description'], undefined);
      const took = Date.now() - started;
      process.stdout.write(`3 entries of 4 KB at 600 bytes every ${timeoutMs / 3} ms: ${took} ms with timeoutMs ${timeoutMs}\n`);
      expect(read.entries.map((e) => e.entry.values.get('uid')?.[0]).sort()).toEqual(['big0', 'big1', 'big2']);
      expect(took).toBeGreaterThan(3 * timeoutMs);
    } finally {
      link.speak();
      await reader.close();
    }
  }, 20_000);
});
