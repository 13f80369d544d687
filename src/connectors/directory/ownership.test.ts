import { describe, expect, it } from 'vitest';
import { assertOwned, ownerValues } from './ownership.js';
import type { ClientPool } from './pool.js';

/** A pool whose one entry holds these values; records the attributes asked for. */
function poolWith(values: Record<string, string[]>): { pool: ClientPool; asked: string[][] } {
  const asked: string[][] = [];
  const client = {
    search: async (_dn: string, options: { attributes: string[] }) => {
      asked.push(options.attributes);
      return { searchEntries: [{ dn: 'CN=x', ...values }] };
    },
  };
  return { pool: { use: async (work: (c: typeof client) => Promise<unknown>) => work(client) } as unknown as ClientPool, asked };
}

const input = (wanted: Record<string, string[]>) => ({
  targetId: 'corp-ad', dn: 'CN=John Smith (left 2024),OU=People', key: { attribute: 'sAMAccountName', value: 'john.smith' }, wanted: new Map(Object.entries(wanted)),
});

describe('adopting an existing entry on create', () => {
  it('owner values are the employee id attributes the new entry is written with (any case, trimmed, non-empty)', () => {
    expect(ownerValues(new Map([['employeeID', [' E7 ']], ['mail', ['j@example.com']], ['EmployeeNumber', ['']]]))).toEqual(new Map([['employeeID', 'E7']]));
  });

  it('adopts an entry that holds the same employee id: a retried create finding its own entry', async () => {
    const { pool, asked } = poolWith({ employeeID: ['E7'] });
    await expect(assertOwned(pool, input({ sAMAccountName: ['john.smith'], employeeID: ['E7'] }))).resolves.toBeUndefined();
    expect(asked).toEqual([['employeeID']]);
  });

  it("refuses someone else's entry, and one without the id, with a non-retryable target.conflict naming the key and the entry", async () => {
    for (const held of [{ employeeID: ['E1'] }, {}] as Record<string, string[]>[]) {
      const { pool } = poolWith(held);
      const error = await assertOwned(pool, input({ sAMAccountName: ['john.smith'], employeeID: ['E7'] })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
      expect(String((error as Error).message)).toContain('sAMAccountName john.smith is held by an account not linked to this person (CN=John Smith (left 2024),OU=People');
      expect(String((error as Error).message)).toContain('roster reconcile --target corp-ad');
    }
  });

  it('without an owner attribute in the mapping nothing can tell: adopted, and nothing is read', async () => {
    const { pool, asked } = poolWith({});
    await expect(assertOwned(pool, input({ sAMAccountName: ['john.smith'] }))).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });
});
