import { describe, expect, it } from 'vitest';
import type { Change } from '../core/types.js';
import { creatingOrphan, orphanIdentity } from './orphans.js';

/**
 * creatingOrphan: is an orphan's account one a create under way may have
 * made (or be adopting)? Keys are compared as directories compare them.
 */
const orphan = (username: unknown): Change => ({
  id: `app:${orphanIdentity('u1')}:delete`, identity: orphanIdentity('u1'), target: 'app', action: 'delete', reasons: ['reconcile.orphan.delete'],
  before: { accountId: 'u1', enabled: true, attributes: username === undefined ? {} : { username } }, after: null,
});
const create = (identity: string, username: unknown) => ({
  jobId: `j-${identity}`, planId: 'p1',
  change: { id: `app:${identity}:create`, identity, target: 'app', action: 'create', reasons: ['joiner'], before: null, after: { attributes: { username } } } as Change,
});

describe('creatingOrphan (review 9)', () => {
  it('an orphan holding several key values (an entry a create is adopting, its old uid kept) matches a create of any of them', () => {
    // An LDAP read gives a multi-valued attribute sorted: the create's key need not be the first value.
    expect(creatingOrphan(orphan(['a.smith', 'alice']), 'username', [create('E1', 'alice')])?.jobId).toBe('j-E1');
    expect(creatingOrphan(orphan('alice'), 'username', [create('E2', 'bob'), create('E1', ['alice'])])?.jobId).toBe('j-E1');
  });

  it('keys differing only in case or Unicode form match; different keys do not', () => {
    expect(creatingOrphan(orphan('ZOË'), 'username', [create('E1', 'zo\u0065\u0308')])?.jobId).toBe('j-E1');
    expect(creatingOrphan(orphan(['carol', 'dave']), 'username', [create('E1', 'alice')])).toBeUndefined();
  });

  it('an orphan read without its key is left alone while any create is under way', () => {
    expect(creatingOrphan(orphan(undefined), 'username', [create('E1', 'alice')])?.jobId).toBe('j-E1');
    expect(creatingOrphan(orphan([]), 'username', [create('E1', 'alice')])?.jobId).toBe('j-E1');
    expect(creatingOrphan(orphan(undefined), 'username', [])).toBeUndefined();
  });
});
