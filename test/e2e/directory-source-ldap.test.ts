import { join } from 'node:path';
import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine } from '../../src/engine/index.js';
import { inetOrgPerson, useLdapSource } from './directory-source-fixtures.js';

/**
 * An OpenLDAP directory as the source of truth: full passes, incremental
 * passes by modifyTimestamp, and a deletion becoming a leaver through the
 * engine's missing logic.
 */
const people = (suffix: string) => `ou=people,${suffix}`;

function person(uid: string, employeeNumber: string | undefined, extra: Record<string, string> = {}) {
  return inetOrgPerson(uid, employeeNumber, { mail: `${uid}@example.com`, departmentNumber: 'Engineering', ...extra });
}

const world = useLdapSource({
  prefix: 'roster-dirsrc-ldap-',
  async seed(admin, slapd) {
    const base = people(slapd.suffix);
    await admin.add(`uid=boss,${base}`, person('boss', 'E1'));
    for (let i = 2; i <= 10; i++) await admin.add(`uid=p${i},${base}`, person(`p${i}`, `E${i}`, { manager: `uid=boss,${base}` }));
    await admin.add(`uid=svc,${base}`, person('svc', undefined));
  },
  sources: (slapd) => [{
    id: 'corp', base: people(slapd.suffix), schedule: '*/5 * * * *', maxMissing: '50%', pageSize: 4,
    attributes: '{ givenName: givenName, familyName: sn, email: mail, department: departmentNumber, managerId: manager }',
  }],
  app: { attributes: '{ username: identity.employeeNumber, email: identity.email }' },
});

describe('ldap source against a real slapd', () => {
  it('a full pass yields every person (over several pages), resolves managers and reports the entry without a key', async () => {
    const result = await world.engine.readSource('corp', 'test');
    expect(result).toMatchObject({ received: 10, created: 10, missing: 0 });
    expect(result.problems).toEqual([expect.objectContaining({ message: `entry uid=svc,${people(world.slapd.suffix)} has no employeeNumber: it cannot be correlated` })]);
    const p2 = await world.engine.store.identities.get('E2');
    expect(p2?.attributes).toEqual({
      employeeNumber: 'E2', givenName: 'Given p2', familyName: 'Surname p2', email: 'p2@example.com', department: 'Engineering', managerId: 'E1',
    });
    // entryCSN (microseconds) tells an entry changed again within the cursor's second from one already read.
    const cursor = await world.engine.store.state.get<{ kind: string; boundary: Record<string, string> }>('cursor:source:corp');
    expect(cursor?.kind).toBe('timestamp');
    expect(Object.values(cursor?.boundary ?? {}).length).toBeGreaterThan(0);
    for (const csn of Object.values(cursor?.boundary ?? {})) expect(csn).toMatch(/^\d{14}\.\d{6}Z#/);
  });

  it('an incremental pass returns only the entry changed since the cursor', async () => {
    await world.admin.modify(`uid=p3,${people(world.slapd.suffix)}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'departmentNumber', values: ['Sales'] }) }));
    const result = await world.engine.readSource('corp', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 1, changed: 1, created: 0, missing: 0 });
    expect(result.affected).toEqual(['E3']);
    expect((await world.engine.store.identities.get('E3'))?.attributes.department).toBe('Sales');
    const again = await world.engine.readSource('corp', 'test', { mode: 'incremental' });
    expect(again).toMatchObject({ received: 0, changed: 0 });
  });

  it('a deleted entry is not seen by an incremental pass; a full pass makes them a leaver once no entry lacks a key', async () => {
    await world.admin.del(`uid=p4,${people(world.slapd.suffix)}`);
    expect(await world.engine.readSource('corp', 'test', { mode: 'incremental' })).toMatchObject({ received: 0, missing: 0 });
    // The entry without a key might be anyone (a person whose employeeNumber was removed): nobody is marked gone while it is there.
    const held = await world.engine.readSource('corp', 'test', { mode: 'full' });
    expect(held).toMatchObject({ received: 9, missing: 0 });
    expect((await world.engine.store.identities.get('E4'))?.state).toBe('active');
    await world.admin.del(`uid=svc,${people(world.slapd.suffix)}`);
    const full = await world.engine.readSource('corp', 'test', { mode: 'full' });
    expect(full).toMatchObject({ received: 9, missing: 1, problems: [] });
    const gone = await world.engine.store.identities.get('E4');
    expect(gone?.state).toBe('terminated');
    expect(gone?.missingSince).toBeDefined();
    expect((await world.engine.store.identities.get('E5'))?.state).toBe('active');
  });

  it('a wrong password is source.unavailable and leaves the cursor alone', async () => {
    const cursor = await world.engine.store.state.get('cursor:source:corp');
    const bad = await openEngine(join(world.dir, 'roster.yaml'), { env: { LDAP_PASSWORD: 'wrong' }, log: silentLogger });
    try {
      await expect(bad.readSource('corp', 'test')).rejects.toMatchObject({ code: 'source.unavailable' });
      expect(await bad.store.state.get('cursor:source:corp')).toEqual(cursor);
    } finally {
      await bad.close();
    }
  });
});
