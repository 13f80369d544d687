import { describe, expect, it } from 'vitest';
import { adChanges, readAdIncremental } from './ad-gone.js';
import type { DeletedObjectsAccess, DirectoryReader } from './search.js';
import type { DirectoryEntry } from './values.js';

const G = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;

function entry(guid: string | undefined, key: string | undefined): DirectoryEntry {
  const values = new Map<string, string[]>();
  if (guid !== undefined) values.set('objectguid', [guid]);
  if (key !== undefined) values.set('employeeid', [key]);
  return { dn: `CN=${key ?? guid ?? 'x'},OU=Staff,DC=example,DC=com`, values };
}

describe('adChanges', () => {
  const previous = { [G(1)]: 'E1', [G(2)]: 'E2', [G(3)]: 'E3' };

  it('a GUID that left takes its key with it; entries read record their keys; the map is not changed in place', () => {
    const changes = adChanges(previous, { entries: [entry(G(2), 'E2'), entry(G(4), 'E4')], left: [G(1)], key: 'employeeID' });
    expect(changes).toEqual({ gone: ['E1'], keys: { [G(2)]: 'E2', [G(3)]: 'E3', [G(4)]: 'E4' }, left: 1 });
    expect(previous[G(1)]).toBe('E1');
  });

  it('a changed key leaves the old one gone; a key another entry still holds is not gone; a keyless read keeps the key it had', () => {
    const changes = adChanges(previous, {
      entries: [entry(G(1), 'E11'), entry(G(5), 'E3'), entry(G(2), undefined)], left: [G(3), G(9)], key: 'employeeID',
    });
    expect(changes.gone).toEqual(['E1']);
    expect(changes.keys).toEqual({ [G(1)]: 'E11', [G(2)]: 'E2', [G(5)]: 'E3' });
    // G(9) was never known: nobody to report.
    expect(changes.left).toBe(1);
  });
});

interface FakeOptions {
  readonly access?: DeletedObjectsAccess;
  readonly changed: readonly string[];
  readonly read: readonly DirectoryEntry[];
  readonly inScope?: readonly string[] | undefined;
  /** Runs once the in-scope search has read (a change the directory makes just after it). */
  readonly afterSearch?: () => void;
}

function fakeReader(options: FakeOptions): { reader: DirectoryReader; calls: string[] } {
  const calls: string[] = [];
  const reader = {
    async deletedObjectsAccess(context: string) {
      calls.push(`access ${context}`);
      return options.access ?? { readable: true };
    },
    async changedSince(context: string, usn: string, showDeleted: boolean) {
      calls.push(`changed ${context} ${usn} ${showDeleted}`);
      return options.changed.map((guid) => ({ guid, deleted: showDeleted }));
    },
    async search(filter: string) {
      calls.push(`search ${filter}`);
      const read = [...options.read];
      options.afterSearch?.();
      return read;
    },
    async guidsInScope(_filter: string, guids: readonly string[]) {
      calls.push(`confirm ${guids.join(' ')}`);
      return options.inScope === undefined ? undefined : new Set(guids.filter((guid) => options.inScope!.includes(guid)));
    },
  };
  return { reader: reader as unknown as DirectoryReader, calls };
}

const KEYS = { [G(1)]: 'E1', [G(2)]: 'E2', [G(3)]: 'E3', [G(4)]: 'E4' };

function run(reader: DirectoryReader, warnings: string[] = [], root: { defaultNamingContext?: string } = { defaultNamingContext: 'DC=example,DC=com' }) {
  return readAdIncremental(reader, {
    sourceId: 'corp', rules: { key: 'employeeID' }, filter: '(objectClass=user)', incrementalFilter: '(&(objectClass=user)(uSNChanged>=101))',
    attributes: ['employeeID', 'objectGUID'], since: '101', keys: KEYS, root, bindDN: 'CN=reader,DC=example,DC=com',
    log: { warn: (message) => { warnings.push(message); } },
  });
}

describe('readAdIncremental', () => {
  it('reads the domain\'s changes before the source\'s own search, and confirms each candidate by objectGUID before it is gone', async () => {
    // G(1) deleted, G(2) moved out, G(3) changed and still in, G(5) not the source's, G(4) missed by the paged search but in scope.
    const { reader, calls } = fakeReader({ changed: [G(1), G(2), G(3), G(5), G(4)], read: [entry(G(3), 'E3')], inScope: [G(4)] });
    const result = await run(reader);
    expect(calls).toEqual([
      'access DC=example,DC=com', 'changed DC=example,DC=com 101 true', 'search (&(objectClass=user)(uSNChanged>=101))', `confirm ${G(1)} ${G(2)} ${G(4)}`,
    ]);
    expect(result.changes.gone).toEqual(['E1', 'E2']);
    expect(result.changes.keys).toEqual({ [G(3)]: 'E3', [G(4)]: 'E4' });
  });

  it('a person edited just after the source\'s search is not a candidate (the domain search ran before it)', async () => {
    const changed: string[] = [];
    const read: DirectoryEntry[] = [];
    // Searched the other way round, the domain search would see the edit and the source search would not.
    const { reader, calls } = fakeReader({ changed, read, inScope: [], afterSearch: () => { changed.push(G(2)); read.push(entry(G(2), 'E2')); } });
    const result = await run(reader);
    expect(calls.some((call) => call.startsWith('confirm'))).toBe(false);
    expect(result.changes).toEqual({ gone: [], keys: KEYS, left: 0 });
  });

  it('without rights to deleted objects: one warning naming what to grant, no Show Deleted, and nobody gone by a tombstone', async () => {
    const warnings: string[] = [];
    const { reader, calls } = fakeReader({ access: { readable: false, reason: 'LDAP 50' }, changed: [G(2)], read: [], inScope: [] });
    const result = await run(reader, warnings);
    expect(calls[1]).toBe('changed DC=example,DC=com 101 false');
    expect(warnings).toEqual([expect.stringContaining('List Contents and Read Property on CN=Deleted Objects,DC=example,DC=com')]);
    expect(result.changes.gone).toEqual(['E2']);
  });

  it('reports nobody gone when an entry came back without a readable objectGUID, or the confirmation could not tell', async () => {
    const keyless = fakeReader({ changed: [G(1)], read: [entry(undefined, 'E9')], inScope: [] });
    expect((await run(keyless.reader)).changes.gone).toEqual([]);
    expect(keyless.calls.some((call) => call.startsWith('confirm'))).toBe(false);
    const unsure = fakeReader({ changed: [G(1)], read: [], inScope: undefined });
    expect((await run(unsure.reader)).changes).toMatchObject({ gone: [], left: 0 });
  });

  it('without a defaultNamingContext: a warning and no leavers, the map still kept up to date', async () => {
    const warnings: string[] = [];
    const { reader, calls } = fakeReader({ changed: [G(1)], read: [entry(G(6), 'E6')], inScope: [] });
    const result = await run(reader, warnings, {});
    expect(calls).toEqual(['search (&(objectClass=user)(uSNChanged>=101))']);
    expect(warnings).toEqual([expect.stringContaining('no defaultNamingContext')]);
    expect(result.changes).toEqual({ gone: [], keys: { ...KEYS, [G(6)]: 'E6' }, left: 0 });
  });

  it('a directory failure fails the pass (nothing reported gone, the cursor stays)', async () => {
    const { reader } = fakeReader({ changed: [], read: [] });
    (reader as unknown as { changedSince: () => Promise<never> }).changedSince = () => Promise.reject(new Error('connection reset'));
    await expect(run(reader)).rejects.toThrow('connection reset');
  });
});
