import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import { inetOrgPerson, useLdapSource } from './directory-source-fixtures.js';

/**
 * Review 13: an ldap source read by a bind DN the directory's ACLs keep
 * from some attributes. The directory answers exactly as if the entries did
 * not have them, so what Roster can do is say so, and never take a person
 * whose key it may not read for a leaver.
 */
const SUFFIX = 'dc=example,dc=com';
const BASE = `ou=people,${SUFFIX}`;
const ROSTER = `cn=roster,${SUFFIX}`;
const warnings: { message: string; fields: unknown }[] = [];

function person(uid: string, employeeNumber: string) {
  return inetOrgPerson(uid, employeeNumber, { mail: `${uid}@example.com` });
}

const world = useLdapSource({
  slapd: {
    suffix: SUFFIX, serviceAccount: true,
    acl: [
      `to dn.subtree="${BASE}" attrs=mail,modifyTimestamp by dn.exact="${ROSTER}" none by * read`,
      `to dn.exact="uid=h2,${BASE}" attrs=employeeNumber by dn.exact="${ROSTER}" none by * read`,
    ],
  },
  prefix: 'roster-dirsrc-acl-review13-',
  async seed(admin) {
    for (let i = 1; i <= 4; i++) await admin.add(`uid=h${i},${BASE}`, person(`h${i}`, `H${i}`));
  },
  sources: () => [{ id: 'corp', base: BASE, maxMissing: '50%', bindDN: '${env:LDAP_BIND}', attributes: '{ givenName: givenName, email: mail }' }],
  app: { attributes: '{ username: identity.givenName }' },
  env: (slapd) => ({ LDAP_BIND: slapd.serviceDN ?? '' }),
  log: { ...silentLogger, warn: (message, fields) => { warnings.push({ message, fields }); } } satisfies Logger,
});

describe('ldap source read by a bind the ACLs restrict (review 13)', () => {
  it('an entry whose key the bind may not read is a problem naming it, and keeps everyone from being gone', async () => {
    const full = await world.engine.readSource('corp', 'test');
    expect(full).toMatchObject({ received: 3, created: 3, missing: 0 });
    expect(full.problems).toEqual([expect.objectContaining({ message: `entry uid=h2,${BASE} has no employeeNumber: it cannot be correlated` })]);
    // h4 deleted: with h2's key unreadable, h4 could be h2's person; nobody is gone.
    await world.admin.del(`uid=h4,${BASE}`);
    const again = await world.engine.readSource('corp', 'test', { mode: 'full' });
    expect(again).toMatchObject({ received: 2, missing: 0 });
    expect((await world.engine.store.identities.get('H4'))?.state).toBe('active');
  });

  it('a mapped attribute, or modifyTimestamp, the bind may not read on any entry is warned of in the log, naming it', async () => {
    warnings.length = 0;
    await world.engine.readSource('corp', 'test', { mode: 'full' });
    expect(warnings.filter((w) => w.message.startsWith('directory source'))).toEqual([
      expect.objectContaining({ message: expect.stringContaining('no entry of this full pass has modifyTimestamp'), fields: { source: 'corp', entries: 3 } }),
      expect.objectContaining({
        message: expect.stringContaining('no entry of this full pass has these mapped attributes'),
        fields: expect.objectContaining({ source: 'corp', attributes: ['mail'], identityAttributes: ['email'] }),
      }),
    ]);
    // Without modifyTimestamp there is no cursor: an incremental pass reads in full (still right, never a partial snapshot).
    expect(await world.engine.store.state.get('cursor:source:corp')).toBeUndefined();
    expect(await world.engine.readSource('corp', 'test', { mode: 'incremental' })).toMatchObject({ received: 2, missing: 0 });
  });
});
