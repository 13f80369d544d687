import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import { change, inetOrgPerson, useLdapSource, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 22: an `ldap` source whose filter asks for group membership
 * (`(memberOf=G)`, OpenLDAP's memberof overlay). Putting someone in G or
 * taking them out changes G, not the person: slapd rewrites the person's
 * memberOf without moving their modifyTimestamp or entryCSN (measured on
 * slapd 2.5). Neither an incremental pass by modifyTimestamp nor a sync from
 * a cookie returned them, so a joiner waited for the next full pass (with
 * syncrepl, rare), and a syncrepl leaver too. Each pass now keeps the entryCSN
 * of every group the filter names, and reads in full when one changed.
 */
const SUFFIX = 'dc=example,dc=com';
const group = (name: string) => `cn=${name},ou=groups,${SUFFIX}`;
const ou = (name: string) => `ou=${name},${SUFFIX}`;
const infos: { message: string; fields: unknown }[] = [];

const source = (id: string, changes?: string): LdapSourceYaml => ({
  id, base: ou(id), schedule: '*/5 * * * *', maxMissing: '50%', ...(changes === undefined ? {} : { changes }),
  filter: `(&(objectClass=inetOrgPerson)(memberOf=${group(`staff-${id}`)}))`, attributes: '{ givenName: givenName }',
});

const world = useLdapSource({
  slapd: { suffix: SUFFIX, syncprov: { sessionlog: 100 } },
  prefix: 'roster-dirsrc-groups-review22-',
  ous: ['ts', 'sr'],
  async seed(admin) {
    for (const id of ['ts', 'sr']) {
      for (let i = 1; i <= 4; i++) await admin.add(`uid=${id}${i},${ou(id)}`, inetOrgPerson(`${id}${i}`, `${id.toUpperCase()}${i}`));
      await admin.add(group(`staff-${id}`), { objectClass: ['groupOfNames'], cn: `staff-${id}`, member: [1, 2, 3].map((i) => `uid=${id}${i},${ou(id)}`) });
    }
  },
  sources: () => [source('ts'), source('sr', 'syncrepl')],
  app: { attributes: '{ username: identity.givenName }' },
  log: { ...silentLogger, info: (message, fields) => { infos.push({ message, fields }); } } satisfies Logger,
});

describe.each([['ts', 'by modifyTimestamp'], ['sr', 'syncrepl']])('ldap source %s (%s) with a memberOf filter (review 22)', (id) => {
  const key = (i: number) => `${id.toUpperCase()}${i}`;
  const dn = (i: number) => `uid=${id}${i},${ou(id)}`;
  const person = async (i: number) => world.engine.store.identities.get(key(i));

  it('someone put in the group is a joiner at the next incremental pass', async () => {
    expect(await world.engine.readSource(id, 'test')).toMatchObject({ received: 3, created: 3, missing: 0 });
    // Nothing changed: an incremental pass reads nothing (no full pass for a group that did not change).
    expect(await world.engine.readSource(id, 'test', { mode: 'incremental' })).toMatchObject({ mode: 'incremental', received: 0 });
    await world.admin.modify(group(`staff-${id}`), [change('add', 'member', [dn(4)])]);
    infos.length = 0;
    const pass = await world.engine.readSource(id, 'test', { mode: 'incremental' });
    expect(pass).toMatchObject({ created: 1, missing: 0 });
    expect(pass.affected).toEqual([key(4)]);
    expect((await person(4))?.state).toBe('active');
    expect(infos).toEqual(expect.arrayContaining([expect.objectContaining({
      message: expect.stringContaining('reads in full'), fields: expect.objectContaining({ source: id, reason: expect.stringContaining(group(`staff-${id}`)) }),
    })]));
    // Read in full once: the next pass, the group unchanged since, is incremental again.
    expect(await world.engine.readSource(id, 'test', { mode: 'incremental' })).toMatchObject({ mode: 'incremental', received: 0 });
  });

  it('someone taken out of the group is a leaver at the next incremental pass', async () => {
    await world.admin.modify(group(`staff-${id}`), [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dn(1)] }) })]);
    const pass = await world.engine.readSource(id, 'test', { mode: 'incremental' });
    expect(pass).toMatchObject({ missing: 1, created: 0 });
    expect((await person(1))?.state).toBe('terminated');
    expect((await person(2))?.state).toBe('active');
    expect(await world.engine.readSource(id, 'test', { mode: 'incremental' })).toMatchObject({ mode: 'incremental', received: 0, missing: 0 });
  });

  it('the group deleted: the filter matches nobody, the pass is held as truncated and nobody is gone, pass after pass', async () => {
    await world.admin.del(group(`staff-${id}`));
    for (let round = 0; round < 2; round++) {
      const pass = await world.engine.readSource(id, 'test', { mode: 'incremental' });
      expect(pass).toMatchObject({ received: 0, missing: 0 });
      expect(pass.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'source.truncated' })]));
    }
    for (const i of [2, 3, 4]) expect((await person(i))?.state).toBe('active');
  });
});
