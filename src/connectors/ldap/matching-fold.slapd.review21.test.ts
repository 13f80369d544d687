import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';

/**
 * A caseIgnoreMatch attribute given values slapd holds as one, or as two,
 * beyond ASCII (review21): slapd folds case one character at a time, so
 * `İstanbul` and `istanbul` are one value (an add with both was refused:
 * "provided more than once", the account was never created) while `σίσυφος`
 * and `ΣΊΣΥΦΟΣ` are two (Roster dropped the second as a duplicate, and the
 * directory never held it).
 */
const fx = useSlapd();
const users = (base: string) => ({ base: `ou=people,${base}`, dn: `uid={uid},ou=people,${base}`, key: 'uid', attributes: { dept: 'departmentNumber', surname: 'sn' }, defaults: { cn: '{uid}' } });

async function held(dn: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(dn, { scope: 'base', attributes: ['departmentNumber'] });
  const value = searchEntries[0]?.departmentNumber;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String).sort();
}

describe('ldap: caseIgnore values beyond ASCII, with real slapd (review21)', () => {
  it('creates with İstanbul and istanbul as one value, the first spelling', async () => {
    const { connector } = fx.hooked({ users: users(fx.slapd.suffix) });
    const created = await connector.create({ attributes: { uid: 't.one', surname: 'One', dept: ['İstanbul', 'istanbul'] }, enabled: true });
    expect(await held(`uid=t.one,ou=people,${fx.slapd.suffix}`)).toEqual(['İstanbul']);
    const read = await connector.get(created.accountId);
    expect(connector.sameValue('dept', ['İstanbul', 'istanbul'], read?.attributes.dept)).toBe(true);
  });

  it('keeps σίσυφος and ΣΊΣΥΦΟΣ as the two values slapd holds them as', async () => {
    const { connector } = fx.hooked({ users: users(fx.slapd.suffix) });
    const created = await connector.create({ attributes: { uid: 't.two', surname: 'Two', dept: ['σίσυφος', 'ΣΊΣΥΦΟΣ'] }, enabled: true });
    expect(await held(`uid=t.two,ou=people,${fx.slapd.suffix}`)).toEqual(['ΣΊΣΥΦΟΣ', 'σίσυφος'].sort());
    const read = await connector.get(created.accountId);
    expect(connector.sameValue('dept', ['σίσυφος', 'ΣΊΣΥΦΟΣ'], read?.attributes.dept)).toBe(true);
    expect(connector.sameValue('dept', ['σίσυφος'], read?.attributes.dept)).toBe(false);
  });
});
