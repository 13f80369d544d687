import { beforeAll, describe, expect, it } from 'vitest';
import { HookPool, type PoolHook } from '../../../test/support/hook-pool.js';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { addServiceAccount, binds, capture, dnOf, passwordOf, serviceAcl, serviceDn } from '../../../test/support/ldap-login.js';
import type { Logger } from '../types.js';
import { ldapConnectionSchema } from './config.js';
import { LdapConnector } from './ldap-connector.js';

/**
 * review18c: a rehire under `move` with the ACL docs/directories.md gives for
 * the disabled OU (no access to userPassword there for anyone but the
 * rootDN), bound as an ordinary service account that may write people. The
 * enable wrote the mapped password at the disabled DN before moving the
 * entry back: the server refused it (insufficientAccessRights, 50), so every
 * rehire failed. Real binds against a real slapd.
 */
const SUFFIX = 'dc=example,dc=com';
const SERVICE = serviceDn(SUFFIX);
const fx = useSlapd({ suffix: SUFFIX, acl: serviceAcl(SUFFIX, `to dn.subtree="ou=disabled,${SUFFIX}" attrs=userPassword by * none`) });
beforeAll(() => addServiceAccount(fx.admin, SUFFIX, fx.slapd.password));

function connection(password: 'remove' | 'keep' | undefined, passwordOnEnable?: string) {
  return {
    bindDN: SERVICE,
    users: {
      base: SUFFIX, dn: `uid={uid},ou=people,${SUFFIX}`, key: 'uid', attributes: { password: 'userPassword', email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' },
      ...(passwordOnEnable === undefined ? {} : { passwordOnEnable }),
    },
    groups: { base: `ou=groups,${SUFFIX}`, names: true, create: true },
    disable: { strategy: 'move', ou: `ou=disabled,${SUFFIX}`, ...(password === undefined ? {} : { password }) },
  };
}


/** A connector bound as the service account (or, `root`, as the rootDN) over a pool whose writes a test can hook. */
function hooked(password: 'remove' | 'keep' | undefined, log: Logger, root = false): { connector: LdapConnector; pool: HookPool } {
  const { url, bindDN, password: secret } = fx.slapd;
  const who = root ? bindDN : SERVICE;
  const config = ldapConnectionSchema.parse({ url, password: secret, ...connection(password), bindDN: who });
  const pool = new HookPool({ url, bindDN: who, password: secret, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
  return { connector: fx.closeAfter(new LdapConnector(pool, config, { targetId: 'corp-ldap', baseDir: '.', log })), pool };
}




const lost = (): Promise<never> => Promise.reject(Object.assign(new Error('connection lost'), { code: 80 }));
const REHIRE = { reason: 'rehire', secrets: { password: 'Rehire-Pass-2' } } as const;
const PEOPLE = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;
const DISABLED = (uid: string) => `uid=${uid},ou=disabled,${SUFFIX}`;

/** Hook `pool` for the length of `body`. */
async function withHook<T>(pool: HookPool, hook: PoolHook, body: () => Promise<T>): Promise<T> {
  pool.hook = hook;
  try {
    return await body();
  } finally {
    pool.hook = undefined;
  }
}

describe('review18c: a rehire under move, the disabled OU shut by ACL, bound as a service account', () => {
  for (const password of ['remove', 'keep'] as const) {
    it(`password: ${password}: the rehire is enabled with the mapped password, never the former one`, async () => {
      const { log, lines } = capture();
      const connector = fx.connect(connection(password), { log });
      const uid = `rehire.${password}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
      await connector.grant(created.accountId, 'staff');
      expect(await binds(fx, uid, 'Joiner-Pass-1')).toBe(true);
      await connector.setEnabled(created.accountId, false);
      expect({ dn: await dnOf(fx, uid), binds: await binds(fx, uid, 'Joiner-Pass-1') }).toEqual({ dn: DISABLED(uid), binds: false });
      expect(await connector.setEnabled(created.accountId, true, {}, REHIRE)).toEqual({ newPassword: true, secretsWritten: true });
      const account = await connector.get(created.accountId);
      expect({ enabled: account?.enabled, entitlements: account?.entitlements, dn: await dnOf(fx, uid), passwords: await passwordOf(fx, uid) })
        .toEqual({ enabled: true, entitlements: ['staff'], dn: PEOPLE(uid), passwords: ['Rehire-Pass-2'] });
      expect({ mapped: await binds(fx, uid, 'Rehire-Pass-2'), former: await binds(fx, uid, 'Joiner-Pass-1') }).toEqual({ mapped: true, former: false });
      const logged = lines.join('\n');
      expect(logged).not.toContain('Joiner-Pass-1');
      expect(logged).not.toContain('Rehire-Pass-2');
      // keep: the refusal at the disabled DN is why the entry moved first, and the log says so.
      if (password === 'keep') expect(logged).toMatch(/^warn .*refused.*moved back first/m);
    });
  }

  it('password: remove: moved back first, so the disabled entry is never given a password, even where the bind account could', async () => {
    const { connector, pool } = hooked('remove', capture().log, true);
    const created = await connector.create({ attributes: { uid: 'order.remove', password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    const order: string[] = [];
    await withHook(pool, (op, args, send) => { order.push(`${op} ${String(args[0])}`); return send(); },
      () => connector.setEnabled(created.accountId, true, {}, REHIRE));
    expect(order).toEqual([`modifyDN ${DISABLED('order.remove')}`, `modify ${PEOPLE('order.remove')}`]);
    expect(await binds(fx, 'order.remove', 'Rehire-Pass-2')).toBe(true);
  });

  it('password: keep: where the bind account may write there (the rootDN), the password is still written before the move', async () => {
    const { connector, pool } = hooked('keep', capture().log, true);
    const created = await connector.create({ attributes: { uid: 'order.keep', password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    const order: string[] = [];
    await withHook(pool, (op, args, send) => { order.push(`${op} ${String(args[0])}`); return send(); },
      () => connector.setEnabled(created.accountId, true, {}, REHIRE));
    expect(order).toEqual([`modify ${DISABLED('order.keep')}`, `modifyDN ${DISABLED('order.keep')}`]);
  });

  it('password: remove: stopped after the move, the entry is enabled without any password; the retried enable writes it', async () => {
    const { connector, pool } = hooked('remove', capture().log);
    const uid = 'crash.remove';
    const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    await withHook(pool, (op, _args, send) => (op === 'modify' ? lost() : send()),
      () => expect(connector.setEnabled(created.accountId, true, {}, REHIRE)).rejects.toThrow());
    expect({ enabled: (await connector.get(created.accountId))?.enabled, passwords: await passwordOf(fx, uid), former: await binds(fx, uid, 'Joiner-Pass-1') })
      .toEqual({ enabled: true, passwords: [], former: false });
    // The executor runs the same enable again: it finds the entry enabled, and still writes the mapped password.
    expect(await connector.setEnabled(created.accountId, true, {}, REHIRE)).toEqual({ newPassword: true, secretsWritten: true });
    expect({ passwords: await passwordOf(fx, uid), binds: await binds(fx, uid, 'Rehire-Pass-2') }).toEqual({ passwords: ['Rehire-Pass-2'], binds: true });
  });

  it('password: keep: the write after the move fails: the entry is moved back to the disabled OU, not left enabled with the former password', async () => {
    const { connector, pool } = hooked('keep', capture().log);
    const uid = 'crash.keep';
    const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    // The first modify (at the disabled DN) reaches the server and is refused; the second (after the move) is lost.
    let modifies = 0;
    await withHook(pool, (op, _args, send) => (op === 'modify' && ++modifies === 2 ? lost() : send()),
      () => expect(connector.setEnabled(created.accountId, true, {}, REHIRE)).rejects.toThrow());
    expect({ enabled: (await connector.get(created.accountId))?.enabled, dn: await dnOf(fx, uid), former: await binds(fx, uid, 'Joiner-Pass-1') })
      .toEqual({ enabled: false, dn: DISABLED(uid), former: false });
    expect(await connector.setEnabled(created.accountId, true, {}, REHIRE)).toEqual({ newPassword: true, secretsWritten: true });
    expect({ dn: await dnOf(fx, uid), mapped: await binds(fx, uid, 'Rehire-Pass-2'), former: await binds(fx, uid, 'Joiner-Pass-1') })
      .toEqual({ dn: PEOPLE(uid), mapped: true, former: false });
  });

  it('password: keep: stopped after the move and unable to move back, the entry is enabled with the former password until the retry replaces it', async () => {
    const { connector, pool } = hooked('keep', capture().log);
    const uid = 'stuck.keep';
    const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    let modifies = 0;
    let moves = 0;
    await withHook(pool, (op, _args, send) => ((op === 'modify' && ++modifies === 2) || (op === 'modifyDN' && ++moves === 2) ? lost() : send()),
      () => expect(connector.setEnabled(created.accountId, true, {}, REHIRE)).rejects.toThrow());
    expect((await connector.get(created.accountId))?.enabled).toBe(true);
    expect(await connector.setEnabled(created.accountId, true, {}, REHIRE)).toEqual({ newPassword: true, secretsWritten: true });
    expect({ mapped: await binds(fx, uid, 'Rehire-Pass-2'), former: await binds(fx, uid, 'Joiner-Pass-1') }).toEqual({ mapped: true, former: false });
  });

  it('password: keep: an update of the disabled entry whose mapped password changed writes the rest; the refused password is left for the enable', async () => {
    const { log, lines } = capture();
    const connector = fx.connect(connection('keep'), { log });
    const uid = 'away.keep';
    const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1', email: `${uid}@example.com` }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    // The executor applies a rehire's update (HR moved the person: the mapped password changed) before its enable.
    await connector.update(created.accountId, { password: 'Rehire-Pass-2', email: `${uid}@example.org` }, { uid, email: `${uid}@example.com` });
    expect({ email: (await connector.get(created.accountId))?.attributes.email, passwords: await passwordOf(fx, uid), enabled: (await connector.get(created.accountId))?.enabled })
      .toEqual({ email: `${uid}@example.org`, passwords: ['Joiner-Pass-1'], enabled: false });
    expect(lines.join('\n')).toMatch(/^warn update of a disabled account: the directory refused writing its password/m);
    expect(await connector.setEnabled(created.accountId, true, {}, REHIRE)).toEqual({ newPassword: true, secretsWritten: true });
    expect({ mapped: await binds(fx, uid, 'Rehire-Pass-2'), former: await binds(fx, uid, 'Joiner-Pass-1') }).toEqual({ mapped: true, former: false });
    expect(lines.join('\n')).not.toMatch(/Joiner-Pass-1|Rehire-Pass-2/);
  });

  it('an update the directory refuses for an enabled entry still fails: only a disabled entry\'s password is left for later', async () => {
    const { connector, pool } = hooked('keep', capture().log);
    const created = await connector.create({ attributes: { uid: 'refused.upd', password: 'Joiner-Pass-1' }, enabled: true });
    await withHook(pool, (op, _args, send) => (op === 'modify' ? Promise.reject(Object.assign(new Error('refused'), { code: 50 })) : send()),
      () => expect(connector.update(created.accountId, { password: 'Changed-Pass-2', email: 'r@example.org' }, { uid: 'refused.upd' })).rejects.toThrow());
    expect(await passwordOf(fx, 'refused.upd')).toEqual(['Joiner-Pass-1']);
  });

  it('an enable that sets no new password (a return) under the same ACL moves the entry back untouched', async () => {
    const connector = fx.connect(connection('keep'));
    const created = await connector.create({ attributes: { uid: 'return.keep', password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'return', secrets: { password: 'Rehire-Pass-2' } })).toEqual({});
    expect(await binds(fx, 'return.keep', 'Joiner-Pass-1')).toBe(true);
    // Found enabled, a return writes nothing either.
    expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'return', secrets: { password: 'Rehire-Pass-2' } })).toEqual({});
    expect(await passwordOf(fx, 'return.keep')).toEqual(['Joiner-Pass-1']);
  });
});
