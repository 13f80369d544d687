import { describe, expect, it } from 'vitest';
import { placementText } from './placement-text.js';

describe('review21: a placement move in a plan line says the part that differs', () => {
  it('the OU that changes, without the leaf and the suffix both DNs share', () => {
    expect(placementText('uid=ann.lee,ou=Elsewhere,ou=people,dc=example,dc=com', 'uid=ann.lee,ou=Engineering,ou=people,dc=example,dc=com'))
      .toBe('ou=Elsewhere → ou=Engineering');
  });

  it('DNs spelled differently compare as the directory does; a deeper move keeps its levels', () => {
    expect(placementText('CN=Ann Lee,OU=Sub,OU=Sales,DC=corp,DC=test', 'cn=Ann Lee,ou=Finance,dc=corp,dc=test')).toBe('OU=Sub,OU=Sales → ou=Finance');
  });

  it('a renamed leaf is shown; DNs with nothing in common or that do not parse stay whole', () => {
    expect(placementText('uid=a,ou=x,dc=e', 'uid=b,ou=y,dc=e')).toBe('uid=a,ou=x → uid=b,ou=y');
    expect(placementText('uid=a,dc=one', 'uid=a,dc=two')).toBe('dc=one → dc=two');
    expect(placementText('uid=a,dc=one', 'uid=b,dc=two')).toBe('uid=a,dc=one → uid=b,dc=two');
    expect(placementText('not a dn', 'uid=a,dc=e')).toBe('not a dn → uid=a,dc=e');
  });
});
