import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { parsePushBody } from '../sources/push.js';
import type { Engine } from './types.js';

/**
 * PostgreSQL refuses NUL in text (and in the JSON it stores): one HR value
 * holding it failed the whole ingest ("unsupported Unicode escape sequence"),
 * so nobody's change went through, and an HR push answered 500. The row must
 * be a problem with its line, like any malformed row.
 */
describe('HR values PostgreSQL cannot store (review6)', () => {
  const workspace = useEngineDir('review6');

  async function open(csv: string): Promise<Engine> {
    return workspace.open(`
store: ${await workspace.store('postgres', 'review6_text')}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
`, { files: { 'employees.csv': csv } });
  }

  it('a CSV cell or key holding NUL is a problem row; the others are ingested', async () => {
    const e = await open('employeeId,givenName,familyName\nE1,Ada,Love\u0000lace\nE2\u0000,Alan,Turing\nE3,Grace,Hopper\n');
    const result = await e.readSource('hr', 'test');
    expect(result.problems).toEqual([
      { line: 2, key: 'E1', message: 'column "familyName" holds a NUL character' },
      { line: 3, message: 'column "employeeId" holds a NUL character' },
    ]);
    expect(result.created).toBe(1);
    expect((await e.store.identities.list()).map((i) => i.id)).toEqual(['E3']);
  });

  it('a pushed record holding NUL or a lone surrogate is a problem; the others are ingested', async () => {
    const e = await open('employeeId,givenName\nE9,Ann\n');
    const batch = parsePushBody({ records: [
      { employeeId: 'P1', givenName: 'A\u0000' },
      { employeeId: 'P2', title: 'x\uD800y' },
      { employeeId: 'P3\u0000' },
      { employeeId: 'P4', givenName: 'Zoë 😀' },
    ] }, {
      sourceId: 'hr', key: 'employeeId', dateFields: [], now: new Date(), statusField: 'status', endDateField: 'endDate',
    });
    const result = await e.ingest(batch, 'test');
    expect(result.problems).toEqual([
      { line: 1, key: 'P1', message: 'field "givenName" holds a NUL character' },
      { line: 2, key: 'P2', message: 'field "title" holds a lone UTF-16 surrogate' },
      { line: 3, message: 'field "employeeId" holds a NUL character' },
    ]);
    expect((await e.store.identities.get('P4'))?.attributes.givenName).toBe('Zoë 😀');
  });
});
