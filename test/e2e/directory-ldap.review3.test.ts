import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/types.js';
import { peopleTarget, useSlapd, type TargetOverrides } from '../support/slapd-fixture.js';
import { freePort } from '../support/slapd.js';

/**
 * Review 3 of the ldap target connector: each test here states documented
 * behaviour and fails on the code as it was reviewed.
 */

const fixture = useSlapd();

/** The connection these tests start from, with only mail mapped. */
const target = (overrides: TargetOverrides = {}) =>
  peopleTarget(fixture.slapd.suffix, { ...overrides, users: { attributes: { email: 'mail' }, ...overrides.users } });
const connect = (overrides: TargetOverrides = {}): Connector => fixture.connect(target(overrides));
const hooked = (overrides: TargetOverrides = {}) => fixture.hooked(target(overrides));

const members = fixture.members;

async function listed(connector: Connector, accountId: string): Promise<readonly string[] | undefined> {
  for await (const account of connector.list()) if (account.accountId === accountId) return account.entitlements;
  return undefined;
}

const dnOf = (uid: string) => `uid=${uid},ou=people,${fixture.slapd.suffix}`;

describe('groupOfUniqueNames: uniqueMember values with the optional #bitstring UID', () => {
  it('reads a membership whose value carries a UID (get and list)', async () => {
    const connector = connect({ groups: { objectClass: 'groupOfUniqueNames' } });
    const member = await connector.create({ attributes: { uid: 'ub.read' }, enabled: true });
    await fixture.admin.add(`cn=ub-read,ou=groups,${fixture.slapd.suffix}`, { objectClass: ['groupOfUniqueNames'], cn: 'ub-read', uniqueMember: [`${dnOf('ub.read')}#'0101'B`] });
    expect((await connector.get(member.accountId))?.entitlements).toEqual(['ub-read']);
    expect(await listed(connector, member.accountId)).toEqual(['ub-read']);
  });

  it('a revoke removes the membership whose value carries a UID (and touches no other member)', async () => {
    const connector = connect({ groups: { objectClass: 'groupOfUniqueNames' } });
    const member = await connector.create({ attributes: { uid: 'ub.revoke' }, enabled: true });
    await connector.create({ attributes: { uid: 'ub.peer' }, enabled: true });
    await fixture.admin.add(`cn=ub-revoke,ou=groups,${fixture.slapd.suffix}`, {
      objectClass: ['groupOfUniqueNames'], cn: 'ub-revoke', uniqueMember: [`${dnOf('ub.revoke')}#'0101'B`, dnOf('ub.peer')],
    });
    await connector.revoke(member.accountId, 'ub-revoke');
    // The revoke resolved: the account must no longer be in the group, under any spelling of its DN.
    expect(await members('ub-revoke', 'uniqueMember')).toEqual([dnOf('ub.peer').toLowerCase()]);
  });

  it('a rename carries a membership whose value carries a UID to the new DN', async () => {
    const connector = connect({ groups: { objectClass: 'groupOfUniqueNames' } });
    const member = await connector.create({ attributes: { uid: 'ub.old' }, enabled: true });
    await fixture.admin.add(`cn=ub-rename,ou=groups,${fixture.slapd.suffix}`, { objectClass: ['groupOfUniqueNames'], cn: 'ub-rename', uniqueMember: [`${dnOf('ub.old')}#'0101'B`] });
    await connector.update(member.accountId, { uid: 'ub.new' });
    const after = await members('ub-rename', 'uniqueMember');
    expect(after.some((value) => value.startsWith(dnOf('ub.old').toLowerCase()))).toBe(false);
    expect(after.some((value) => value.startsWith(dnOf('ub.new').toLowerCase()))).toBe(true);
  });
});

describe('groupOfNames: keeping one member under concurrent jobs', () => {
  it('revoking the last member while another account is granted the group keeps the granted member', async () => {
    const { connector, pool } = hooked();
    const leaving = await connector.create({ attributes: { uid: 'race.leaving' }, enabled: true });
    const joining = await connector.create({ attributes: { uid: 'race.joining' }, enabled: true });
    await connector.grant(leaving.accountId, 'race-group');
    // The executor runs jobs of different accounts at once: the grant lands between the revoke's
    // failed delete (the last member: objectClassViolation) and its placeholder fallback.
    let interleaved = false;
    pool.hook = async (op, _args, send) => {
      try {
        return await send();
      } catch (error) {
        if (!interleaved && op === 'modify' && (error as { code?: unknown }).code === 65) {
          interleaved = true;
          pool.hook = undefined;
          await connector.grant(joining.accountId, 'race-group');
        }
        throw error;
      }
    };
    await connector.revoke(leaving.accountId, 'race-group');
    pool.hook = undefined;
    expect(interleaved).toBe(true);
    expect(await members('race-group', 'member')).toContain(dnOf('race.joining').toLowerCase());
    expect((await connector.get(joining.accountId))?.entitlements).toEqual(['race-group']);
  });
});

describe('renames: memberships survive a failure half way', () => {
  it('posixGroup: a rename whose memberUid carry failed transiently keeps the groups when the job is retried', async () => {
    const { connector, pool } = hooked({
      users: { posix: { uidNumber: { min: 31000, max: 31999 }, gidNumber: 100 } },
      groups: { objectClass: 'posixGroup', create: false },
    });
    await fixture.admin.add(`cn=carry-pg,ou=groups,${fixture.slapd.suffix}`, { objectClass: ['top', 'posixGroup'], cn: 'carry-pg', gidNumber: '7101' });
    const account = await connector.create({ attributes: { uid: 'carry.old' }, enabled: true });
    await connector.grant(account.accountId, 'carry-pg');
    let failed = false;
    pool.hook = async (op, args, send) => {
      // The directory is busy (51) for the first write to the group: a retryable failure.
      if (!failed && op === 'modify' && String(args[0]).startsWith('cn=carry-pg')) {
        failed = true;
        throw Object.assign(new Error('busy'), { code: 51 });
      }
      return send();
    };
    const first = await connector.update(account.accountId, { uid: 'carry.new' }).catch((error: unknown) => error);
    expect(first).toMatchObject({ code: 'target.unavailable', retryable: true });
    // The executor retries the same change.
    await connector.update(account.accountId, { uid: 'carry.new' });
    pool.hook = undefined;
    expect(await members('carry-pg', 'memberUid')).toEqual(['carry.new']);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['carry-pg']);
  });
});

describe('modify DN whose response is lost', () => {
  it('a disable (move) the server applied but whose response was lost is not reported as a missing entry', async () => {
    const { connector, pool } = hooked();
    const account = await connector.create({ attributes: { uid: 'lost.reply' }, enabled: true });
    let lost = false;
    pool.hook = async (op, _args, send) => {
      const result = await send();
      if (!lost && op === 'modifyDN') {
        lost = true;
        // The connection drops after the server applied the move: the pool retries the modify DN.
        throw new Error('Connection closed before message response was received. Message type: ModifyDNRequest (0x6c)');
      }
      return result;
    };
    const outcome = await connector.setEnabled(account.accountId, false).then(() => 'done', (error: unknown) => error);
    pool.hook = undefined;
    expect(lost).toBe(true);
    expect(outcome).toBe('done');
    expect((await connector.get(account.accountId))?.enabled).toBe(false);
  });
});

describe('timeouts', () => {
  let server: Server;
  let url: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const port = await freePort();
    server = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    url = `ldap://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a server that accepts and never answers: get fails as target.unavailable after about timeoutMs, not a multiple of it', async () => {
    const timeoutMs = 800;
    const connector = fixture.connect({
      url, bindDN: 'cn=admin,dc=example,dc=com', password: 'secret', timeoutMs, connectTimeoutMs: timeoutMs,
      users: { base: 'dc=example,dc=com', dn: 'uid={uid},ou=people,dc=example,dc=com', key: 'uid' },
    }, { targetId: 'hung' });
    const started = Date.now();
    const error = await connector.get('00000000-0000-1000-8000-000000000000').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'target.unavailable', retryable: true });
    expect(elapsed).toBeLessThan(timeoutMs * 2);
  });
});

describe('where an account is put', () => {
  it('an explicit dn outside users.base is refused, or the account it makes can be read back', async () => {
    const s = fixture.slapd.suffix;
    const connector = connect({ users: { base: `ou=people,${s}` } });
    const outcome = await connector.create({ attributes: { uid: 'out.side', dn: `uid=out.side,ou=groups,${s}` }, enabled: true }).then(
      async (account) => ((await connector.get(account.accountId)) === undefined ? 'created but unreadable' : 'readable'),
      (error: unknown) => (error as { code?: string }).code,
    );
    expect(['readable', 'target.rejected']).toContain(outcome);
  });

  it("names mode: a group name with '=' is a name under the groups base, not a DN", async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { uid: 'g.equals' }, enabled: true });
    await connector.grant(account.accountId, 'Ops = Admin');
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['Ops = Admin']);
  });
});
