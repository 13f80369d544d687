import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change, Plan } from '../core/types.js';
import { account } from '../store/testing/builders.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { referencedOwners } from './account-references.js';
import { describeChange } from './plan-format.js';

/**
 * AD's manager is written as `<GUID=…>` of the manager's account (examples/ad):
 * a plan read by a person showed `manager: ∅ → <GUID=0b3c…>`, a GUID nobody
 * can place. The plan now says whose account it is, from the links.
 */
const GUID = '0b3c5e8a-1d2f-4a6b-9c7d-e8f9a0b1c2d3';
const OTHER = 'ffffffff-1d2f-4a6b-9c7d-e8f9a0b1c2d3';

const update = (before: string | null, after: string): Change => ({
  id: 'ad:E2:update', identity: 'E2', target: 'ad', action: 'update', reasons: ['mapping.changed'],
  before: { accountId: 'x', attributes: { manager: before } }, after: { accountId: 'x', attributes: { manager: after } },
});
const planOf = (changes: Change[]): Plan => ({ id: 'p', createdAt: '2026-11-27T00:00:00Z', basis: 1, changes, summary: {}, held: false, holds: [], diagnostics: [] });

describe('plans name the owner of an account a value references', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    await store.accounts.upsert(account('ad', 'E1', { accountId: GUID }));
  });
  afterEach(async () => {
    await store.close();
  });

  it('a manager by GUID is shown as the manager\'s account; an unlinked GUID and other values stay as they are', async () => {
    const changes = [update(null, `<GUID=${GUID}>`), update(`<GUID=${GUID.toUpperCase()}>`, `<GUID=${OTHER}>`)];
    const owners = await referencedOwners(store, planOf(changes));
    expect(describeChange(changes[0]!, owners)).toBe('manager: ∅ → <E1\'s account>');
    expect(describeChange(changes[1]!, owners)).toBe(`manager: <GUID=${GUID.toUpperCase()}> → <GUID=${OTHER}>`);
    // Without owners (plan --json, or no store): the values as written.
    expect(describeChange(changes[0]!)).toBe(`manager: ∅ → <GUID=${GUID}>`);
  });

  it('a reference in another target is not taken for this one\'s', async () => {
    const other: Change = { ...update(null, `<GUID=${GUID}>`), target: 'ad2', id: 'ad2:E2:update' };
    const owners = await referencedOwners(store, planOf([other]));
    expect(describeChange(other, owners)).toBe(`manager: ∅ → <GUID=${GUID}>`);
  });
});
