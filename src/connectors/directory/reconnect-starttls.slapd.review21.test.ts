import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';
import { ClientPool } from './pool.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { startLdapMitm, type LdapMitm } from '../../../test/support/ldap-mitm.js';

/**
 * Connections over StartTLS after the server went away: a restart, or a
 * connection cut in the middle of a connector's work (between two requests
 * of one operation, or two pages of a paged read). ldapts reconnects by
 * itself when a request finds its socket closed, in plain TCP and without
 * StartTLS (it does not replay a bind made after StartTLS, so the request
 * goes anonymously): the request, and every value in it, crossed the network
 * in clear. The proxy records the client's bytes; slapd does not require TLS
 * here, so a plain request would even be answered.
 */
const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
const PLAIN_BIND = /\x02\x01[\s\S]\x60/;
let slapd: RunningSlapd;
let mitm: LdapMitm;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, tls: true });
  mitm = await startLdapMitm(Number(new URL(slapd.url).port));
}, 30_000);
afterAll(async () => {
  await mitm?.close();
  await slapd?.stop();
});

function pool(timeoutMs = 3_000): ClientPool {
  return new ClientPool({
    url: mitm.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: true, tls: { ca: slapd.ca }, size: 1, timeoutMs, connectTimeoutMs: 2_000,
  });
}

/** Every connection the client opened began with StartTLS and sent nothing readable after it. */
function expectEncrypted(...clear: string[]): void {
  expect(mitm.sent.length).toBeGreaterThan(0);
  for (const connection of mitm.sent) {
    const bytes = Buffer.concat(connection);
    // The first message is the StartTLS request; what follows is TLS records (content type 0x16 / 0x17 / 0x15 / 0x14, version 3.x).
    expect(bytes.toString('latin1', 0, 64)).toContain(STARTTLS_OID);
    const text = bytes.toString('latin1');
    expect(text).not.toMatch(PLAIN_BIND);
    for (const value of [slapd.bindDN, ...clear]) expect(text).not.toContain(value);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StartTLS connections after the server went away (review 21)', () => {
  it('a restart: the connector\'s new connections do StartTLS again before they bind', async () => {
    mitm.sent.length = 0;
    const s = slapd.suffix;
    const connector = ldapConnectorFactory.create(ldapConnectionSchema.parse({
      url: mitm.url, startTLS: true, tls: { ca: slapd.ca }, bindDN: slapd.bindDN, password: slapd.password, poolSize: 2, timeoutMs: 3_000,
      users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', defaults: { cn: '{uid}', sn: '{uid}' } },
    }), { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
    try {
      await connector.check();
      await slapd.restart();
      await connector.check();
      const account = await connector.create({ attributes: { uid: 'after.restart' }, enabled: true });
      expect(await connector.get(account.accountId)).toMatchObject({ attributes: { uid: 'after.restart' } });
    } finally {
      await connector.close();
    }
    expect(mitm.sent.length).toBeGreaterThanOrEqual(2);
    expectEncrypted('after.restart');
  });

  it('a connection cut between two requests of one operation: the second is not sent in clear, and the operation is done on a fresh StartTLS connection', async () => {
    mitm.sent.length = 0;
    const p = pool();
    const value = 'Distinctive-Value-Cut-review21';
    try {
      await p.use((c) => c.search(slapd.suffix, { scope: 'base' }));
      let runs = 0;
      await p.use(async (c) => {
        runs += 1;
        await c.search(slapd.suffix, { scope: 'base' });
        if (runs === 1) {
          mitm.cut();
          await sleep(100);
        }
        await c.add(`uid=cut.${runs},ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid: `cut.${runs}`, cn: 'x', sn: 'x', description: value });
      });
      expect(runs).toBe(2);
    } finally {
      await p.close();
    }
    expectEncrypted(value, 'cut.1');
  });

  it('a request that timed out on a leased connection (a paged read): the next request on it is never sent in clear', async () => {
    mitm.sent.length = 0;
    const p = pool(500);
    try {
      const leased = await p.lease();
      await leased.search(slapd.suffix, { scope: 'base' });
      // The server stops answering this connection: the next request times out, and ldapts closes the connection.
      mitm.hold();
      await expect(leased.search(slapd.suffix, { scope: 'base' })).rejects.toThrow(/timed out/);
      const error = await leased.search(slapd.suffix, { filter: '(uid=Distinctive-Filter-review21)' }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toMatch(/not reopened without StartTLS/);
    } finally {
      await p.close();
    }
    expectEncrypted('Distinctive-Filter-review21');
  });
});
