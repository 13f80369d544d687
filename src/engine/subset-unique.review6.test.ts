import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

const yaml = (extra: string): string => `
store: sqlite:./data/roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])
      email: identity.email${extra}
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 1, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }
`;

/**
 * A unique() mapping added to a target whose accounts exist: every linked
 * account lacks the value and picks one. A plan for some identities only (the
 * HR push path) must still see the values everyone else holds.
 */
describe('review 6: a subset plan picking a unique value for a linked account', () => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  it('never gives two people the same new value', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-subset-unique-'));
    writeFileSync(join(dir, 'roster.yaml'), yaml(''));
    writeFileSync(join(dir, 'employees.csv'), 'employeeId,givenName,familyName,email\nE1,Jane,Doe,jd@example.com\nE2,Jane,Smith,js@example.com\n');
    engine = await openEngine(join(dir, 'roster.yaml'));
    expect((await engine.sync({ actor: 't' })).result).toMatchObject({ applied: 2, failed: 0 });
    await engine.close();

    writeFileSync(join(dir, 'roster.yaml'), yaml('\n      nick: unique([identity.givenName.lowerAscii()])'));
    engine = await openEngine(join(dir, 'roster.yaml'));
    await engine.reconcileIdentities(['E1'], 't');
    await engine.reconcileIdentities(['E2'], 't');
    const nicks = (await engine.store.accounts.listAll()).map((l) => [l.identityId, l.attributes.nick]).sort();
    expect(nicks).toEqual([['E1', 'jane'], ['E2', 'jane2']]);
  });
});
