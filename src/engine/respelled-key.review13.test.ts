import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { planJson } from '../cli/plan-format.js';
import { silentLogger } from '../core/log.js';
import type { SourceBatch } from '../core/types.js';
import { parsePushBody } from '../sources/push.js';
import type { Engine, SyncResult } from './types.js';

const NFC = 'Jos\u00e9';
const NFD = 'Jose\u0301';
const HEADER = 'employeeId,givenName,email,title\n';
const row = (key: string, title = 'Engineer') => `${key},${key},${key.normalize('NFC').toLowerCase()}@example.com,${title}\n`;
const csv = (...keys: string[]) => HEADER + keys.map((k) => row(k)).join('');

const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
  - { id: workday, type: push, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.email, title: identity.title }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`;

const actions = (sync: SyncResult) => sync.plan.changes.map((c) => `${c.action} ${c.identity}`);
const respelled = (sync: SyncResult) => sync.ingests.flatMap((i) => i.diagnostics).filter((d) => d.code === 'source.key_respelled');

/**
 * A source writes a person's key in another letter case or Unicode form
 * than before (`e5` for `E5`, a decomposed `José` for the composed one): the
 * same person, not a joiner plus a leaver (lifecycle/respelled.ts).
 */
describe('a source key respelled between two reads (review13)', () => {
  const dir = useEngineDir('review13-respelled');

  async function synced(first: string): Promise<Engine> {
    const engine = await dir.open(yaml, { files: { 'employees.csv': first }, log: silentLogger });
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.result?.failed).toBe(0);
    return engine;
  }

  it('E5 written e5 in the CSV: the same identity, no create and no disable, and the warning in the ingest and the plan', async () => {
    const engine = await synced(csv('E1', 'E2', 'E3', 'E4', 'E5'));
    dir.write('employees.csv', csv('E1', 'E2', 'E3', 'E4', 'e5'));
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ sourceId: 'hr', created: 0, missing: 0 });
    expect(actions(sync)).toEqual([]);
    expect(respelled(sync)).toEqual([expect.objectContaining({ severity: 'warning', source: 'hr', key: 'e5', storedKey: 'E5', line: 6 })]);
    expect(respelled(sync)[0]!.message).toContain('"e5" (line 6) is stored as "E5"');
    // plan --json lists it, with its source.
    expect(planJson(sync.plan, sync.ingests).diagnostics).toContainEqual(expect.objectContaining({ code: 'source.key_respelled', source: 'hr', key: 'e5' }));
    expect(await engine.store.identities.get('e5')).toBeUndefined();
    expect(await engine.store.identities.get('E5')).toMatchObject({ state: 'active', attributes: { employeeId: 'e5' } });
    expect((await engine.store.accounts.listByIdentity('E5')).map((l) => l.enabled)).toEqual([true]);
    const ingested = await engine.store.audit.list({ kind: 'source.ingested' });
    expect(JSON.stringify(ingested.at(-1)!.data)).toContain('source.key_respelled');
    // The next read says it again (the file still has e5), and still changes nothing.
    const again = await engine.sync({ actor: 'test' });
    expect([again.ingests[0]!.created, again.ingests[0]!.missing, again.ingests[0]!.changed, actions(again).length]).toEqual([0, 0, 0, 0]);
    expect(respelled(again)).toHaveLength(1);
  });

  it('a composed (NFC) key written decomposed (NFD): the same identity, no churn', async () => {
    const engine = await synced(csv('E1', 'E2', 'E3', 'E4', NFC));
    dir.write('employees.csv', csv('E1', 'E2', 'E3', 'E4', NFD));
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ created: 0, missing: 0 });
    expect(actions(sync)).toEqual([]);
    expect(respelled(sync)).toEqual([expect.objectContaining({ key: NFD, storedKey: NFC })]);
    expect(await engine.store.identities.get(NFD)).toBeUndefined();
    expect(await engine.store.identities.get(NFC)).toMatchObject({ state: 'active' });
  });

  it('two stored identities E5 and e5 are never merged: with E5 in the file, e5 leaves as before', async () => {
    // Two people whose keys differ only in case (their e-mail addresses, the account names, differ).
    const engine = await synced(`${csv('E1', 'E2', 'E3', 'E4', 'E5')}e5,e5,e5-other@example.com,Engineer\n`);
    expect((await engine.store.accounts.listByIdentity('e5')).map((l) => l.enabled)).toEqual([true]);
    dir.write('employees.csv', csv('E1', 'E2', 'E3', 'E4', 'E5'));
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ created: 0, missing: 1 });
    expect(actions(sync)).toEqual(['disable e5']);
    expect(respelled(sync)).toEqual([]);
    expect(await engine.store.identities.get('E5')).toMatchObject({ state: 'active', attributes: { employeeId: 'E5' } });
  });

  it('a delta whose key folds to two stored identities (Ab and aB) merges neither: a new person, with the ambiguity warning', async () => {
    const engine = await synced(`${HEADER}Ab,Ab,ab-1@example.com,Engineer\naB,aB,ab-2@example.com,Engineer\n`);
    const result = await engine.ingest({
      sourceId: 'hr', complete: false, rowsRead: 1, problems: [],
      records: [{ key: 'AB', attributes: { employeeId: 'AB', givenName: 'AB', email: 'ab-3@example.com', title: 'Engineer' }, line: 1 }],
    }, 'test');
    expect(result).toMatchObject({ created: 1, changed: 0, affected: ['AB'] });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', key: 'AB', storedKeys: ['Ab', 'aB'] })]);
    expect((await engine.store.identities.list({ sourceId: 'hr' })).map((i) => [i.id, i.version])).toEqual(expect.arrayContaining([['Ab', 1], ['aB', 1], ['AB', 1]]));
  });

  it('a delta batch of one respelled record (complete: false) updates the stored identity', async () => {
    const engine = await synced(csv('E1', 'E2', 'E3', 'E4', 'E5'));
    const batch: SourceBatch = {
      sourceId: 'hr', complete: false, rowsRead: 1, problems: [],
      records: [{ key: 'e5', attributes: { employeeId: 'e5', title: 'Lead' }, line: 1 }],
    };
    const result = await engine.ingest(batch, 'test');
    expect(result).toMatchObject({ created: 0, changed: 1, affected: ['E5'] });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', key: 'e5', storedKey: 'E5', line: 1 })]);
    // Laid over the stored row: what the delta did not carry is kept.
    expect(await engine.store.identities.get('E5')).toMatchObject({ attributes: { givenName: 'E5', title: 'Lead' } });
    const plan = await engine.plan({ actor: 'test' });
    expect(plan.changes.map((c) => `${c.action} ${c.identity}`)).toEqual(['update E5']);
  });

  it('an HR push of one record with a respelled key is the stored person of the push source; another source keeps its own', async () => {
    const engine = await synced(csv('E1'));
    const push = (records: Record<string, unknown>[]) => engine.ingest(parsePushBody({ records }, {
      sourceId: 'workday', key: 'employeeId', dateFields: ['startDate', 'endDate'], now: new Date(), statusField: 'status', endDateField: 'endDate',
    }), 'test');
    expect((await push([{ employeeId: 'P7', givenName: 'P7', email: 'p7@example.com', title: 'Engineer' }])).created).toBe(1);
    const respelledPush = await push([{ employeeId: 'p7', title: 'Lead' }]);
    expect(respelledPush).toMatchObject({ created: 0, changed: 1, affected: ['P7'] });
    expect(respelledPush.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', source: 'workday', storedKey: 'P7' })]);
    expect(await engine.store.identities.get('P7')).toMatchObject({ sourceId: 'workday', attributes: { email: 'p7@example.com', title: 'Lead' } });
    // e1 pushed to workday is not hr's E1: keys of different sources never match.
    const other = await push([{ employeeId: 'e1', givenName: 'e1', email: 'e1b@example.com', title: 'Engineer' }]);
    expect(other).toMatchObject({ created: 1, diagnostics: [] });
    expect(await engine.store.identities.get('E1')).toMatchObject({ sourceId: 'hr', version: 1 });
  });
});
