import { describe, expect, it } from 'vitest';
import { identicalDn } from '../connectors/directory/dn.js';
import { entitlementKey } from '../planner/normalise.js';
import { normaliseDn } from './dn.js';

/** DN spellings slapd answers in one form (measured against slapd 2.5: string-prep.slapd.review21.test.ts). */
describe('DN comparison as the directory does it (review21)', () => {
  it('names an attribute type by the name a server answers with: OID and alias alike', () => {
    expect(normaliseDn('2.5.4.3=Staff,OU=Groups,0.9.2342.19200300.100.1.25=example')).toBe('cn=staff,ou=groups,dc=example');
    expect(normaliseDn('userid=ann+commonName=Ann Lee,organizationalUnitName=people')).toBe(normaliseDn('cn=ann lee+uid=ann,ou=people'));
    expect(identicalDn('userid=ann.lee,ou=people,dc=x', 'uid=ann.lee,ou=people,dc=x')).toBe(true);
    expect(identicalDn('userid=Ann.Lee,ou=people,dc=x', 'uid=ann.lee,ou=people,dc=x')).toBe(false);
  });

  it('folds case one character at a time: İ is i, a final Σ is σ (not ς)', () => {
    expect(normaliseDn('cn=İstanbul Office,dc=x')).toBe(normaliseDn('cn=istanbul office,dc=x'));
    expect(normaliseDn('cn=ΣΊΣΥΦΟΣ,dc=x')).toBe(normaliseDn('cn=σίσυφοσ,dc=x'));
    expect(normaliseDn('cn=ΣΊΣΥΦΟΣ,dc=x')).not.toBe(normaliseDn('cn=σίσυφος,dc=x'));
  });

  it('gives a role\'s entitlement the key of the DN the directory reads back', () => {
    expect(entitlementKey('2.5.4.3=Staff,ou=groups,dc=example,dc=com')).toBe(entitlementKey('cn=Staff,ou=groups,dc=example,dc=com'));
    expect(entitlementKey('commonName=Staff, ou=groups,dc=example,dc=com')).toBe(entitlementKey('cn=staff,ou=groups,dc=example,dc=com'));
    expect(entitlementKey('cn=İstanbul Office,ou=groups,dc=example,dc=com')).toBe(entitlementKey('cn=istanbul office,ou=groups,dc=example,dc=com'));
    expect(entitlementKey('cn=σίσυφος,ou=groups,dc=example,dc=com')).not.toBe(entitlementKey('cn=ΣΊΣΥΦΟΣ,ou=groups,dc=example,dc=com'));
    // Names stay names: no DN is parsed out of them.
    expect(entitlementKey(' Engineering ')).toBe('engineering');
    expect(entitlementKey('2024-interns')).toBe('2024-interns');
  });
});
