import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import type { LdapConnector } from './ldap-connector.js';

/**
 * Review 20: users.posix.counter against a real slapd. Every uidNumber is
 * taken from a counter entry by one atomic modify (delete the value read,
 * add the next), so none is handed out twice: not after its holder is
 * deleted and the connector started again, not by two connectors (each
 * with its own pool and allocator, as two processes) at once.
 */
const fixture = useSlapd();

/** A counter entry below ou=pools holding `value` in uidNumber (device + extensibleObject: only core schemas needed). */
async function counter(name: string, value: number | undefined): Promise<string> {
  const s = fixture.slapd.suffix;
  await fixture.admin.add(`ou=pools,${s}`, { objectClass: ['organizationalUnit'], ou: 'pools' }).catch(() => undefined);
  const dn = `cn=${name},ou=pools,${s}`;
  await fixture.admin.add(dn, { objectClass: ['device', 'extensibleObject'], cn: name, ...(value === undefined ? {} : { uidNumber: String(value) }) });
  return dn;
}

async function counterValue(dn: string): Promise<string> {
  const { searchEntries } = await fixture.admin.search(dn, { scope: 'base', attributes: ['uidNumber'] });
  return String(searchEntries[0]?.uidNumber);
}

/** One Roster process's connector (own pool) for accounts below ou=<ou>,ou=people, numbers from [min, max], from the counter at `counterDn`. */
function rosterProcess(ou: string, range: { min: number; max: number }, counterDn?: string) {
  const s = fixture.slapd.suffix;
  return fixture.hooked({
    users: {
      base: `ou=people,${s}`, dn: `uid={uid},ou=${ou},ou=people,${s}`, key: 'uid', createOUs: true, defaults: { cn: '{uid}', sn: '{uid}' },
      posix: { uidNumber: range, gidNumber: 100, ...(counterDn === undefined ? {} : { counter: { dn: counterDn } }) },
    },
  });
}

/** uid -> uidNumber below ou=<ou>,ou=people. */
async function numbers(ou: string): Promise<Record<string, string>> {
  const { searchEntries } = await fixture.admin.search(`ou=people,${fixture.slapd.suffix}`, { scope: 'sub', filter: `(&(uid=${ou}.*)(objectClass=posixAccount))`, attributes: ['uid', 'uidNumber'] });
  return Object.fromEntries(searchEntries.map((entry) => [String(entry.uid), String(entry.uidNumber)]));
}

const create = (connector: LdapConnector, uid: string) => connector.create({ attributes: { uid }, enabled: true });

/** A posixAccount an operator adds by hand (elsewhere in the tree) holding `uidNumber`. */
async function byHand(uid: string, uidNumber: number): Promise<void> {
  await fixture.admin.add(`uid=${uid},${fixture.slapd.suffix}`, {
    objectClass: ['inetOrgPerson', 'posixAccount'], uid, cn: uid, sn: uid, uidNumber: String(uidNumber), gidNumber: '100', homeDirectory: `/srv/${uid}`,
  });
}

describe('posix uidNumbers from a counter entry (review20)', () => {
  it('a deleted leaver\'s number, the highest in use, is not handed out again after a restart (without a counter it is)', async () => {
    const dn = await counter('reuse', 50000);
    const first = rosterProcess('reuse', { min: 50000, max: 50999 }, dn);
    await create(first.connector, 'reuse.a');
    const leaver = await create(first.connector, 'reuse.b');
    expect(await numbers('reuse')).toEqual({ 'reuse.a': '50000', 'reuse.b': '50001' });
    await first.connector.delete(leaver.accountId);
    // A restart: a new connector with its own pool and nothing remembered.
    const restarted = rosterProcess('reuse', { min: 50000, max: 50999 }, dn);
    await create(restarted.connector, 'reuse.c');
    expect(await numbers('reuse')).toEqual({ 'reuse.a': '50000', 'reuse.c': '50002' });
    expect(await counterValue(dn)).toBe('50003');

    // The same story without a counter: the joiner is given the leaver's number (why the counter exists).
    const before = rosterProcess('noctr', { min: 51000, max: 51999 });
    await create(before.connector, 'noctr.a');
    await before.connector.delete((await create(before.connector, 'noctr.b')).accountId);
    await create(rosterProcess('noctr', { min: 51000, max: 51999 }).connector, 'noctr.c');
    expect(await numbers('noctr')).toEqual({ 'noctr.a': '51000', 'noctr.c': '51001' });
  });

  it('two processes that read the same counter value: the atomic modify gives it to one, the other takes the next, and no entry is renumbered', async () => {
    const dn = await counter('race', 52000);
    const range = { min: 52000, max: 52999 };
    const a = rosterProcess('race', range, dn);
    const b = rosterProcess('race', range, dn);
    const renumbered: string[] = [];
    let bTook!: () => void;
    const bHasTaken = new Promise<void>((resolve) => (bTook = resolve));
    let aDone!: () => void;
    const aHasAdded = new Promise<void>((resolve) => (aDone = resolve));
    let bCreate: Promise<unknown> | undefined;
    // A has read 52000 and is about to take it: B reads the same value and takes it first; B's add waits until A's create is done,
    // so A's check before its add finds 52000 free: only the counter's modify can keep the two apart.
    a.pool.hook = async (op, args, send) => {
      if (op === 'modify' && String(args[0]) === dn && bCreate === undefined) {
        bCreate = create(b.connector, 'race.b');
        await bHasTaken;
      } else if (op === 'modify' && String(args[0]) !== dn) renumbered.push(String(args[0]));
      return send();
    };
    b.pool.hook = async (op, args, send) => {
      if (op === 'add') await aHasAdded;
      const result = await send();
      if (op === 'modify' && String(args[0]) === dn) bTook();
      else if (op === 'modify') renumbered.push(String(args[0]));
      return result;
    };
    await create(a.connector, 'race.a');
    aDone();
    await bCreate;
    expect(await numbers('race')).toEqual({ 'race.a': '52001', 'race.b': '52000' });
    // A's modify of 52000 was refused (the value was gone) and it read again; neither entry had to move after its add.
    expect(renumbered).toEqual([]);
    expect(await counterValue(dn)).toBe('52002');
  });

  it('two processes creating 30 people each at once: 60 numbers, each handed out once, all from the counter', async () => {
    const dn = await counter('many', 53000);
    const range = { min: 53000, max: 53999 };
    const a = rosterProcess('many', range, dn);
    const b = rosterProcess('many', range, dn);
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => create(a.connector, `many.a${i}`)),
      ...Array.from({ length: 30 }, (_, i) => create(b.connector, `many.b${i}`)),
    ]);
    const held = Object.values(await numbers('many')).map(Number).sort((x, y) => x - y);
    // No number lost to a collision either: 53000..53059, each once.
    expect(held).toEqual(Array.from({ length: 60 }, (_, i) => 53000 + i));
    expect(await counterValue(dn)).toBe('53060');
  });

  it('a missing counter entry: the create fails naming its DN, adds nothing and creates no counter', async () => {
    const dn = `cn=nowhere,ou=pools,${fixture.slapd.suffix}`;
    await counter('present', 54000);
    const a = rosterProcess('missing', { min: 54000, max: 54999 }, dn);
    const failed = await create(a.connector, 'missing.a').then(() => undefined, (error: unknown) => error);
    expect(failed).toMatchObject({ code: 'target.rejected', retryable: false });
    expect(String((failed as Error).message)).toContain(`the uidNumber counter ${dn} does not exist`);
    expect(await numbers('missing')).toEqual({});
    await expect(fixture.admin.search(dn, { scope: 'base' })).rejects.toThrow();
  });

  it('a counter entry with no number in it: the create fails naming the DN and the attribute', async () => {
    const dn = await counter('empty', undefined);
    const a = rosterProcess('empty', { min: 54500, max: 54999 }, dn);
    await expect(create(a.connector, 'empty.a')).rejects.toThrow(`the uidNumber counter ${dn} must hold exactly one uidNumber value, a number (the next uidNumber to hand out); it holds none`);
    expect(await numbers('empty')).toEqual({});
  });

  it('a counter behind the directory: numbers held (and the free ones below the highest held) are skipped, and the counter written past them', async () => {
    // Given out before the counter was set up (at 55002, behind them): 55000, 55001 and 55004. 55002 is free, but may be a deleted person's.
    const dn = await counter('behind', 55002);
    for (const n of [55000, 55001, 55004]) await byHand(`behind-old${n}`, n);
    const a = rosterProcess('behind', { min: 55000, max: 55999 }, dn);
    await create(a.connector, 'behind.a');
    expect(await numbers('behind')).toEqual({ 'behind.a': '55005' });
    expect(await counterValue(dn)).toBe('55006');
    // Later an operator numbers two entries by hand with the counter's next values: they are checked before the add and skipped.
    await byHand('behind-svc1', 55006);
    await byHand('behind-svc2', 55007);
    await create(a.connector, 'behind.b');
    expect((await numbers('behind'))['behind.b']).toBe('55008');
    expect(await counterValue(dn)).toBe('55009');
  });

  it('a counter below the range starts at the range\'s min', async () => {
    const dn = await counter('below', 10);
    const a = rosterProcess('below', { min: 56000, max: 56999 }, dn);
    await create(a.connector, 'below.a');
    expect(await numbers('below')).toEqual({ 'below.a': '56000' });
    expect(await counterValue(dn)).toBe('56001');
  });

  it('a range run out: the create fails naming the range and the counter, adds nothing, and a delete frees no number', async () => {
    const dn = await counter('full', 57000);
    const a = rosterProcess('full', { min: 57000, max: 57001 }, dn);
    await create(a.connector, 'full.a');
    const last = await create(a.connector, 'full.b');
    const full = `no free uidNumber left in 57000-57001 (the counter ${dn} is at 57002)`;
    await expect(create(a.connector, 'full.c')).rejects.toThrow(full);
    await a.connector.delete(last.accountId);
    await expect(create(rosterProcess('full', { min: 57000, max: 57001 }, dn).connector, 'full.c')).rejects.toThrow(full);
    expect(await numbers('full')).toEqual({ 'full.a': '57000' });
  });

  it('a counter modify applied whose answer was lost: the number is a gap, never handed out twice', async () => {
    const dn = await counter('lost', 58000);
    const a = rosterProcess('lost', { min: 58000, max: 58999 }, dn);
    await create(a.connector, 'lost.a');
    a.pool.hook = async (op, args, send) => {
      if (op !== 'modify' || String(args[0]) !== dn) return send();
      a.pool.hook = undefined;
      await send();
      throw Object.assign(new Error('read ECONNRESET (the answer was lost)'), { code: 'ECONNRESET' });
    };
    // The pool sends the modify again on a fresh connection: refused (58001 is gone), the counter read again.
    await create(a.connector, 'lost.b').catch(() => create(a.connector, 'lost.b'));
    expect(await numbers('lost')).toEqual({ 'lost.a': '58000', 'lost.b': '58002' });
    expect(await counterValue(dn)).toBe('58003');
  });

  it('an entry made before users.posix was set becomes a posixAccount with a number from the counter', async () => {
    const s = fixture.slapd.suffix;
    const dn = await counter('conv', 59000);
    await fixture.admin.add(`ou=conv,ou=people,${s}`, { objectClass: ['organizationalUnit'], ou: 'conv' });
    await fixture.admin.add(`uid=conv.a,ou=conv,ou=people,${s}`, { objectClass: ['inetOrgPerson'], uid: 'conv.a', cn: 'conv.a', sn: 'conv.a' });
    const a = rosterProcess('conv', { min: 59000, max: 59999 }, dn);
    await create(a.connector, 'conv.a');
    // The create adds first (the key names the entry), with 59000: refused (the entry exists), so the entry adopted is
    // converted with that number, not the counter's next (review21: no gap per adoption).
    expect(await numbers('conv')).toEqual({ 'conv.a': '59000' });
    expect(await counterValue(dn)).toBe('59001');
  });
});
