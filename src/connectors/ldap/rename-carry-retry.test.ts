import type { Change as LdapChange } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { HookPool } from '../../../test/support/hook-pool.js';
import type { Attributes, Change, Job, LinkedAccount } from '../../core/types.js';
import { applyChange } from '../../executor/apply-change.js';
import type { Store } from '../../store/types.js';
import { LdapConnector } from './ldap-connector.js';

/**
 * A rename whose old-value removal fails after the modify DN, retried by
 * ANOTHER connector instance (another process: nothing kept in memory). The
 * retry runs the job through applyChange, which hands the connector the link
 * as Roster last recorded it; the group must end holding only the new value.
 * This slapd has no refint (nor memberof's), so nothing but Roster takes an
 * old member DN out.
 */
const fixture = useSlapd({ refint: false });
const NOW = new Date('2026-11-27T12:00:00.000Z');

function hooked(users: Record<string, unknown> = {}, groups: Record<string, unknown> = {}, disable?: Record<string, unknown>): { connector: LdapConnector; pool: HookPool } {
  const s = fixture.slapd.suffix;
  return fixture.hooked({
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' }, ...users },
    groups: { base: `ou=groups,${s}`, names: true, create: true, ...groups },
    ...(disable === undefined ? {} : { disable }),
  });
}

const posix = { posix: { uidNumber: { min: 33000, max: 33999 }, gidNumber: 100 } };
const busy = (): Error => Object.assign(new Error('busy'), { code: 51 });
const operationOf = (args: readonly unknown[]): string => String((args[1] as LdapChange | undefined)?.operation);

async function values(cn: string, attribute: string): Promise<string[]> {
  const { searchEntries } = await fixture.admin.search(`cn=${cn},ou=groups,${fixture.slapd.suffix}`, { scope: 'base', attributes: [attribute] });
  const raw = searchEntries[0]?.[attribute] ?? [];
  return (Array.isArray(raw) ? raw : [raw]).map((v) => String(v).toLowerCase()).sort();
}

/** Every delete from the group after the modify DN fails: the first process "stops" with the old value still there. */
function failOldValueRemoval(pool: HookPool, group: string): () => boolean {
  let renamed = false;
  let failed = false;
  pool.hook = async (op, args, send) => {
    if (op === 'modifyDN') renamed = true;
    if (renamed && op === 'modify' && String(args[0]).startsWith(`cn=${group},`) && operationOf(args) === 'delete') {
      failed = true;
      throw busy();
    }
    return send();
  };
  return () => failed;
}

/** The update job of a plan, as the executor runs it: with the link Roster recorded before the rename (claimed at the job's start). */
function updateJob(accountId: string, before: Attributes, after: Attributes): { job: Job; link: LinkedAccount } {
  const change: Change = {
    id: 'corp-ldap:E1:update', identity: 'E1', target: 'corp-ldap', action: 'update', reasons: ['mapping.changed'],
    before: { accountId, attributes: before }, after: { accountId, attributes: after },
  };
  const job: Job = {
    id: 'j1', planId: 'p1', target: 'corp-ldap', orderingKey: 'corp-ldap:E1', seq: 1, status: 'running', attempts: 2,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), change,
  };
  const link: LinkedAccount = {
    target: 'corp-ldap', identityId: 'E1', accountId, attributes: { ...before, email: 'someone@example.com' }, entitlements: [], enabled: true,
    createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
  };
  return { job, link };
}

async function run(connector: LdapConnector, job: Job, link: LinkedAccount): Promise<void> {
  const store = { accounts: { async get() { return link; } } } as unknown as Store;
  await applyChange(job, { store, connector, actor: 'test', now: () => NOW, claimed: { link } });
}

describe('a rename whose old-value removal failed, retried by another connector instance', () => {
  it('posixGroup: the retry takes the old memberUid out; the group holds only the new uid', async () => {
    const { connector, pool } = hooked(posix, { objectClass: 'posixGroup', create: false });
    await fixture.admin.add(`cn=retry-pg,ou=groups,${fixture.slapd.suffix}`, { objectClass: ['top', 'posixGroup'], cn: 'retry-pg', gidNumber: '7301' });
    const account = await connector.create({ attributes: { uid: 'pg.old' }, enabled: true });
    await connector.grant(account.accountId, 'retry-pg');
    const failed = failOldValueRemoval(pool, 'retry-pg');
    const { job, link } = updateJob(account.accountId, { uid: 'pg.old' }, { uid: 'pg.new' });
    await expect(run(connector, job, link)).rejects.toMatchObject({ code: 'target.unavailable' });
    expect(failed()).toBe(true);
    expect(await values('retry-pg', 'memberUid')).toEqual(['pg.new', 'pg.old']);

    const { connector: another } = hooked(posix, { objectClass: 'posixGroup', create: false });
    await run(another, job, link);
    expect(await values('retry-pg', 'memberUid')).toEqual(['pg.new']);
    expect((await another.get(account.accountId))?.entitlements).toEqual(['retry-pg']);
  });

  it('groupOfNames without refint: the retry takes the old member DN out; the group holds only the new DN', async () => {
    const s = fixture.slapd.suffix;
    const { connector, pool } = hooked();
    const account = await connector.create({ attributes: { uid: 'gon.old' }, enabled: true });
    await connector.grant(account.accountId, 'retry-gon');
    const failed = failOldValueRemoval(pool, 'retry-gon');
    const { job, link } = updateJob(account.accountId, { uid: 'gon.old' }, { uid: 'gon.new' });
    await expect(run(connector, job, link)).rejects.toMatchObject({ code: 'target.unavailable' });
    expect(failed()).toBe(true);
    expect(await values('retry-gon', 'member')).toEqual([`uid=gon.new,ou=people,${s}`, `uid=gon.old,ou=people,${s}`]);

    const { connector: another } = hooked();
    await run(another, job, link);
    expect(await values('retry-gon', 'member')).toEqual([`uid=gon.new,ou=people,${s}`]);
    expect((await another.get(account.accountId))?.entitlements).toEqual(['retry-gon']);
  });

  it('groupOfUniqueNames in the disabled OU: the old DN there comes out too', async () => {
    const s = fixture.slapd.suffix;
    const disable = { strategy: 'move', ou: `ou=disabled,${s}` };
    const { connector, pool } = hooked({}, { objectClass: 'groupOfUniqueNames' }, disable);
    const account = await connector.create({ attributes: { uid: 'gun.old' }, enabled: false });
    await connector.grant(account.accountId, 'retry-gun');
    const failed = failOldValueRemoval(pool, 'retry-gun');
    const { job, link } = updateJob(account.accountId, { uid: 'gun.old' }, { uid: 'gun.new' });
    await expect(run(connector, job, { ...link, enabled: false })).rejects.toMatchObject({ code: 'target.unavailable' });
    expect(failed()).toBe(true);
    expect(await values('retry-gun', 'uniqueMember')).toEqual([`uid=gun.new,ou=disabled,${s}`, `uid=gun.old,ou=disabled,${s}`]);

    const { connector: another } = hooked({}, { objectClass: 'groupOfUniqueNames' }, disable);
    await run(another, job, { ...link, enabled: false });
    expect(await values('retry-gun', 'uniqueMember')).toEqual([`uid=gun.new,ou=disabled,${s}`]);
  });

  it('an old value that names another account now is that account\'s, and stays', async () => {
    const { connector, pool } = hooked(posix, { objectClass: 'posixGroup', create: false });
    await fixture.admin.add(`cn=reused-pg,ou=groups,${fixture.slapd.suffix}`, { objectClass: ['top', 'posixGroup'], cn: 'reused-pg', gidNumber: '7302' });
    const account = await connector.create({ attributes: { uid: 'reuse.old' }, enabled: true });
    await connector.grant(account.accountId, 'reused-pg');
    failOldValueRemoval(pool, 'reused-pg');
    const { job, link } = updateJob(account.accountId, { uid: 'reuse.old' }, { uid: 'reuse.new' });
    await expect(run(connector, job, link)).rejects.toMatchObject({ code: 'target.unavailable' });
    pool.hook = undefined;
    // Meanwhile a joiner got the old uid (and so, through the value left behind, the group).
    const joiner = await connector.create({ attributes: { uid: 'reuse.old' }, enabled: true });

    const { connector: another } = hooked(posix, { objectClass: 'posixGroup', create: false });
    await run(another, job, link);
    expect(await values('reused-pg', 'memberUid')).toEqual(['reuse.new', 'reuse.old']);
    expect((await another.get(joiner.accountId))?.entitlements).toEqual(['reused-pg']);
  });

  it('an update with nothing renamed since the record writes nothing to the groups', async () => {
    const { connector, pool } = hooked(posix, { objectClass: 'posixGroup', create: false });
    await fixture.admin.add(`cn=quiet-pg,ou=groups,${fixture.slapd.suffix}`, { objectClass: ['top', 'posixGroup'], cn: 'quiet-pg', gidNumber: '7303' });
    const account = await connector.create({ attributes: { uid: 'quiet' }, enabled: true });
    await connector.grant(account.accountId, 'quiet-pg');
    const writes: string[] = [];
    pool.hook = async (op, args, send) => {
      writes.push(`${op} ${String(args[0])}`);
      return send();
    };
    const { job, link } = updateJob(account.accountId, { email: 'a@example.com' }, { email: 'b@example.com' });
    await run(connector, job, { ...link, attributes: { uid: 'quiet', email: 'a@example.com' } });
    pool.hook = undefined;
    expect(writes).toEqual([`modify uid=quiet,ou=people,${fixture.slapd.suffix}`]);
  });
});
