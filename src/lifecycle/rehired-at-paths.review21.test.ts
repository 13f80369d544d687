import { describe, expect, it } from 'vitest';
import type { Attributes, Identity, IdentityKey } from '../core/types.js';
import { desiredOne } from '../policy/policy-fixtures.js';
import { link, person, testLifecycle, testSource } from '../policy/test-config.js';
import { continueKeys } from './continued.js';
import { batchOf } from './merge-fixtures.js';
import { mergeBatch } from './merge.js';

/**
 * Identity.rehiredAt recorded on the other ways a rehire arrives (review 21):
 * a row of a second source taking the person over, and a row under a new key
 * naming the old one (fields.previousKey), each after a termination entered
 * late (left on the 10th, recorded and the account disabled on the 20th, back
 * from the 15th): the account comes back as a rehire's, with a new password.
 */
const FIELDS = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId', previousKey: 'previousEmployeeId' };
const hr = testSource({ fields: FIELDS });
const contractors = testSource({ id: 'contractors', fields: FIELDS });

function step(rows: readonly Attributes[], existing: readonly Identity[], now: string, source = hr, keys: readonly IdentityKey[] = []): Identity {
  const at = new Date(now);
  const known = new Map(existing.map((i) => [i.id, i]));
  const continuation = continueKeys({
    batch: { ...batchOf(rows), sourceId: source.id }, existing: known, keys: new Map(keys.map((k) => [k.key, k])), source, lifecycle: testLifecycle(), now: at,
  });
  const result = mergeBatch({ batch: continuation.batch, existing: known, source, lifecycle: testLifecycle(), now: at, continuation });
  return result.upserts[0] ?? existing[0]!;
}
const disabled = link('e1', { enabled: false, createdAt: '2020-03-01T08:00:00.000Z', disabledAt: '2026-03-20T09:05:00.000Z' });
const reasonsOf = (identity: Identity): readonly string[] =>
  desiredOne(identity, { links: [{ ...disabled, identityId: identity.id }], now: new Date('2026-03-21T09:00:01.000Z') }).reasons;

describe('review 21: a rehire after a termination entered late, by the other ways it arrives', () => {
  it('taken over by a second source', () => {
    const hired = step([person('e1', { startDate: '2025-01-06', employmentType: 'contractor' })], [], '2026-01-05T09:00:00.000Z', contractors);
    const left = step([person('e1', { startDate: '2025-01-06', employmentType: 'contractor', status: 'terminated', endDate: '2026-03-10' })], [hired], '2026-03-20T09:00:00.000Z', contractors);
    const back = step([person('e1', { startDate: '2026-03-15' })], [left], '2026-03-21T09:00:00.000Z', hr);
    expect(back).toMatchObject({ sourceId: 'hr', rehiredAt: '2026-03-21T09:00:00.000Z' });
    expect(reasonsOf(back)).toEqual(['rehire']);
  });

  it('under a new key naming the old one (fields.previousKey)', () => {
    const hired = step([person('e1', { startDate: '2020-03-01' })], [], '2026-01-05T09:00:00.000Z');
    const left = step([person('e1', { startDate: '2020-03-01', status: 'terminated', endDate: '2026-03-10' })], [hired], '2026-03-20T09:00:00.000Z');
    const back = step([person('e2', { startDate: '2026-03-15', previousEmployeeId: 'e1' })], [left], '2026-03-21T09:00:00.000Z');
    expect(back).toMatchObject({ id: 'e1', rehiredAt: '2026-03-21T09:00:00.000Z' });
    expect(reasonsOf(back)).toEqual(['rehire']);
  });
});
