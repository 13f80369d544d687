import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { matchingKey } from './matching.js';
import { sameDn } from './dn.js';

/**
 * slapd is the oracle: for each pair, slapd's own answer (a compare under
 * caseIgnoreMatch, a base search at a DN) must be Roster's. Measured on slapd
 * 2.5: it folds case one character at a time (`Σ` is `σ` anywhere, `İ` is
 * `i`), where JavaScript's whole-text toLowerCase makes a final `Σ` into `ς`
 * and `İ` into `i` with a combining dot.
 */
const fx = useSlapd();

const PAIRS: readonly (readonly [string, string])[] = [
  ['John  Smith', 'john smith'], [' Ann ', 'ann'], ['Zoe\u0308', 'Zoë'], ['ＪＯＨＮ', 'john'], ['ﬁn', 'FIN'], ['ǅemal', 'džemal'],
  ['ΣΊΣΥΦΟΣ', 'σίσυφοσ'], ['ΣΊΣΥΦΟΣ', 'σίσυφος'], ['İstanbul', 'istanbul'], ['İstanbul', 'i\u0307stanbul'], ['ISTANBUL', 'ıstanbul'],
  ['Straße', 'STRASSE'], ['Straße', 'STRAßE'], ['Ärger', 'ärger'], ['ОЛЕГ', 'олег'],
];

async function slapdEqual(dn: string, value: string): Promise<boolean> {
  return fx.admin.compare(dn, 'description', value);
}

describe('caseIgnoreMatch as slapd does it (review21)', () => {
  it('holds two values as one exactly when slapd does', async () => {
    const dn = `cn=prep,${fx.slapd.suffix}`;
    await fx.admin.add(dn, { objectClass: ['organizationalRole'], cn: 'prep' });
    const seen: string[] = [];
    for (const [held, asked] of PAIRS) {
      await fx.admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: [held] }) }));
      const server = await slapdEqual(dn, asked);
      const roster = matchingKey('caseignorematch', held) === matchingKey('caseignorematch', asked);
      seen.push(`${held} ~ ${asked}: slapd ${server}, roster ${roster}`);
    }
    expect(seen.filter((line) => !/slapd (\w+), roster \1$/.test(line))).toEqual([]);
    // The oracle is not trivially one-sided: slapd tells some apart and holds others as one.
    expect(seen.some((line) => line.endsWith('slapd true, roster true'))).toBe(true);
    expect(seen.some((line) => line.endsWith('slapd false, roster false'))).toBe(true);
  });

  it('finds an entry at a DN spelled another way exactly when Roster calls the DNs the same', async () => {
    const base = `ou=people,${fx.slapd.suffix}`;
    const stored = [`cn=ΣΊΣΥΦΟΣ,${base}`, `cn=İstanbul Office,${base}`, `cn=Oid Person,${base}`];
    for (const dn of stored) await fx.admin.add(dn, { objectClass: ['organizationalRole'], cn: dn.slice(3, dn.indexOf(',')) });
    const asked = [`cn=σίσυφος,${base}`, `cn=σίσυφοσ,${base}`, `CN=istanbul office,${base}`, `2.5.4.3=oid person,${base}`, `commonName=Oid  Person,${base}`];
    const seen: string[] = [];
    for (const dn of asked) {
      const found = await fx.admin.search(dn, { scope: 'base', attributes: ['1.1'] }).then((r) => r.searchEntries[0]?.dn, () => undefined);
      const roster = stored.find((s) => sameDn(s, dn));
      seen.push(`${dn}: slapd ${found ?? 'none'}, roster ${roster ?? 'none'}`);
    }
    expect(seen.filter((line) => !/slapd (.+), roster \1$/.test(line))).toEqual([]);
    expect(seen.filter((line) => line.includes('slapd none'))).toHaveLength(1);
  });
});
