import { describe, expect, it } from 'vitest';
import type { IdentityKey, SourceBatch } from '../core/types.js';
import { identity, NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { continueKeys } from './continued.js';

/**
 * Review 22: with `keyChanges: follow` a directory person's old key stays an
 * alias of their identity. Another entry given that key later (an employee
 * number handed to a new hire) was ignored with an `info` note: a person
 * silently never provisioned. From another entry than the identity's own,
 * the row is a `warning` that names the entry; from the identity's own entry
 * (a stale row) it stays the quiet note.
 */
const ADA = 'a1b2c3d4-0000-4000-8000-00000000000a';
const NEW = 'a1b2c3d4-0000-4000-8000-00000000000c';
const recordedAt = NOW.toISOString();
const keys: IdentityKey[] = [
  { key: 'E2029', identityId: 'E1029', sourceId: 'hr', current: true, recordedAt },
  { key: 'E1029', identityId: 'E1029', sourceId: 'hr', current: false, recordedAt },
];
const ada = identity('E1029', { sourceEntry: ADA, attributes: person('E2029') });
const batch = (entry: string): SourceBatch => ({
  sourceId: 'hr', complete: false, problems: [], rowsRead: 1,
  records: [{ key: 'E1029', entry, line: 1, attributes: person('E1029', { givenName: 'Newcomer' }) }],
});
const superseded = (entry: string) => continueKeys({
  batch: batch(entry), existing: new Map([[ada.id, ada]]), keys: new Map(keys.map((k) => [k.key, k])),
  source: testSource({ type: 'ldap' }), lifecycle: testLifecycle(), now: NOW,
}).diagnostics.filter((d) => d.code === 'source.key_superseded');

describe('review 22: a former key on another entry is a warning naming it', () => {
  it('another entry under the former key: a warning, naming the entry; nobody is made from it', () => {
    const [d] = superseded(NEW);
    expect(d).toMatchObject({ severity: 'warning', identity: 'E1029' });
    expect(d?.message).toContain(NEW);
    expect(d?.message).toContain('gets no account');
  });

  it('the identity\'s own entry under its former key (a stale row): the quiet note, as before', () => {
    expect(superseded(ADA)).toEqual([expect.objectContaining({ severity: 'info' })]);
  });
});
