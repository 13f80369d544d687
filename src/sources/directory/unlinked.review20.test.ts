import { describe, expect, it } from 'vitest';
import { unlinkedManagers } from './ad-gone.js';

/** Which gone keys an `ad` incremental pass names as unlinked managers (SourceBatch.unlinked). */
const known = { g1: 'E1', g2: 'E2', g3: 'E3' };

describe('unlinkedManagers (review 20)', () => {
  it('names the gone keys of deleted entries when the manager field reads AD\'s `manager` (any case)', () => {
    expect(unlinkedManagers({ managerAttribute: 'Manager', deleted: ['g2', 'g1'], known, gone: ['E1', 'E2', 'E3'] })).toEqual(['E1', 'E2']);
  });

  it('leaves out a key another entry still holds (not gone), an unknown entry, and any other manager attribute', () => {
    expect(unlinkedManagers({ managerAttribute: 'manager', deleted: ['g1', 'g9'], known, gone: [] })).toEqual([]);
    expect(unlinkedManagers({ managerAttribute: 'extensionAttribute1', deleted: ['g1'], known, gone: ['E1'] })).toEqual([]);
    expect(unlinkedManagers({ managerAttribute: undefined, deleted: ['g1'], known, gone: ['E1'] })).toEqual([]);
  });
});
