import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { TargetAccount } from '../../core/types.js';
import type { Connector } from '../types.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';

/**
 * The ldap connector against a real slapd that goes away under it: killed
 * and restarted in the middle of writes and of a paged read, frozen (accepts
 * connections, answers nothing), and a StartTLS on a server without TLS.
 */
let slapd: RunningSlapd;
const connectors: Connector[] = [];
const PEOPLE = 40;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  const admin = new Client({ url: slapd.url });
  await admin.bind(slapd.bindDN, slapd.password);
  for (let i = 0; i < PEOPLE; i++) {
    await admin.add(`uid=p${i},ou=people,${slapd.suffix}`, { objectClass: 'inetOrgPerson', uid: `p${i}`, cn: `p${i}`, sn: 'p' });
  }
  await admin.unbind();
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await slapd?.stop();
});

function connect(connection: Record<string, unknown> = {}): Connector {
  const s = slapd.suffix;
  const config = ldapConnectionSchema.parse({
    url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, poolSize: 2, timeoutMs: 800, connectTimeoutMs: 800, pageSize: 5,
    users: { base: `ou=people,${s}`, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    ...connection,
  });
  const connector = ldapConnectorFactory.create(config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
  connectors.push(connector);
  return connector;
}

async function failure(promise: Promise<unknown>): Promise<RosterError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'the operation should have failed').toBeInstanceOf(Error);
  return error as RosterError;
}

async function listAll(connector: Connector, onAccount?: (count: number) => Promise<void>): Promise<TargetAccount[]> {
  const accounts: TargetAccount[] = [];
  for await (const account of connector.list()) {
    accounts.push(account);
    await onAccount?.(accounts.length);
  }
  return accounts;
}

describe('slapd killed and restarted under the connector', () => {
  it('a paged read cut off by the crash fails as a retryable unavailability, never as a shorter list; the next read is whole', async () => {
    const connector = connect();
    expect(await listAll(connector)).toHaveLength(PEOPLE);
    let seen = 0;
    const error = await failure(listAll(connector, async (count) => {
      seen = count;
      if (count === 7) await slapd.kill();
    }));
    expect(seen).toBeLessThan(PEOPLE);
    expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
    expect(error.retryable).toBe(true);
    // While it is down: at once, retryable (no hang, no stale connection).
    const started = Date.now();
    const down = await failure(listAll(connector));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(isRosterError(down, 'target.unavailable') && down.retryable, down.message).toBe(true);
    await slapd.restart();
    expect(await listAll(connector)).toHaveLength(PEOPLE);
  });

  it('writes fail as retryable while it is down and go through on the same connector once it is back', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { uid: 'crash.a', email: 'a@example.com' }, enabled: true });
    await slapd.kill();
    for (const write of [
      () => connector.update(account.accountId, { email: 'a2@example.com' }),
      () => connector.create({ attributes: { uid: 'crash.b' }, enabled: true }),
      () => connector.delete(account.accountId),
    ]) {
      const started = Date.now();
      const error = await failure(write());
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
      expect(error.retryable).toBe(true);
    }
    await slapd.restart();
    await connector.update(account.accountId, { email: 'a2@example.com' });
    expect(await connector.get(account.accountId)).toMatchObject({ attributes: { uid: 'crash.a', email: 'a2@example.com' } });
    const b = await connector.create({ attributes: { uid: 'crash.b' }, enabled: true });
    expect(await connector.get(b.accountId)).toMatchObject({ attributes: { uid: 'crash.b' } });
  });

  it('a restart while the connections are idle is invisible: the next operations reconnect and bind', async () => {
    const connector = connect();
    await connector.check();
    await slapd.restart();
    await connector.check();
    expect(await listAll(connector)).toHaveLength(PEOPLE + 2);
  });
});

describe('a slapd that accepts connections and answers nothing (SIGSTOP)', () => {
  it('bind, search, add and a paged read each give up after about timeoutMs, retryable, and work again once it answers', async () => {
    const fresh = connect();
    const warm = connect();
    await warm.check();
    slapd.pause();
    try {
      for (const [what, run] of [
        ['bind of a new connection', () => fresh.check()],
        ['search', () => warm.get('00000000-0000-4000-8000-000000000000')],
        ['add', () => warm.create({ attributes: { uid: 'frozen.a' }, enabled: true })],
        ['paged read', () => listAll(warm)],
      ] as const) {
        const started = Date.now();
        const error = await failure(run());
        const took = Date.now() - started;
        expect(took, what).toBeGreaterThanOrEqual(700);
        expect(took, what).toBeLessThan(3_000);
        expect(isRosterError(error, 'target.unavailable'), `${what}: ${error.message}`).toBe(true);
        expect(error.retryable, what).toBe(true);
      }
    } finally {
      slapd.resume();
    }
    // The timed-out connections were dropped: nothing answers late into a later operation.
    await fresh.check();
    const accounts = await listAll(warm);
    expect(accounts.length).toBeGreaterThanOrEqual(PEOPLE + 2);
    expect(new Set(accounts.map((a) => a.accountId)).size).toBe(accounts.length);
    const b = await warm.create({ attributes: { uid: 'frozen.b' }, enabled: true });
    expect(await warm.get(b.accountId)).toMatchObject({ attributes: { uid: 'frozen.b' } });
  });
});

describe('StartTLS on a slapd without TLS', () => {
  it('is a clear, final configuration error, and nothing is sent in clear', async () => {
    const connector = connect({ startTLS: true });
    const error = await failure(connector.create({ attributes: { uid: 'plain.text' }, enabled: true }));
    expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/refused StartTLS/);
    expect(error.message).toMatch(/no TLS/);
    const admin = new Client({ url: slapd.url });
    await admin.bind(slapd.bindDN, slapd.password);
    const { searchEntries } = await admin.search(slapd.suffix, { filter: '(uid=plain.text)', attributes: ['1.1'] });
    await admin.unbind();
    expect(searchEntries).toHaveLength(0);
  });
});
