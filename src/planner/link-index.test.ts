import { describe, expect, it } from 'vitest';
import type { LinkedAccount } from '../core/types.js';
import { LinkIndex } from './link-index.js';

const link = (target: string, identityId: string): LinkedAccount => ({
  target, identityId, accountId: `${target}-${identityId}`, attributes: {}, entitlements: [], enabled: true, createdAt: 'c', updatedAt: 'u',
});

describe('LinkIndex', () => {
  const links = [link('app', 'e1'), link('app', 'e2'), link('ldap', 'e1'), link('app', 'e3')];
  const index = new LinkIndex(links);

  it('finds a link by target and identity, in any input order', () => {
    expect(index.get('app', 'e3')).toBe(links[3]);
    expect(index.lookup('ldap', 'e1')).toBe(links[2]);
    expect(index.get('ldap', 'e2')).toBeUndefined();
    expect(index.get('nope', 'e1')).toBeUndefined();
  });

  it('gives one identity its links by target, and counts per target', () => {
    const mine = index.forIdentity('e1');
    expect(mine.get('app')).toBe(links[0]);
    expect(mine.get('ldap')).toBe(links[2]);
    expect(index.forIdentity('e9').get('app')).toBeUndefined();
    expect(index.totals()).toEqual(new Map([['app', 3], ['ldap', 1]]));
  });
});
