import { describe, expect, it } from 'vitest';
import { holdersOwnership } from './ownership.js';
import type { ClientPool } from './pool.js';

/** A pool whose entries (by DN) hold these values; records the DNs read. */
function poolOf(entries: Record<string, Record<string, string[]>>): { pool: ClientPool; read: string[] } {
  const read: string[] = [];
  const client = {
    search: async (dn: string) => {
      read.push(dn);
      return { searchEntries: [{ dn, ...entries[dn] }] };
    },
  };
  return { pool: { use: async (work: (c: typeof client) => Promise<unknown>) => work(client) } as unknown as ClientPool, read };
}

const joiner = (owners: Record<string, string>) => new Map(Object.entries({ sAMAccountName: ['j.smith'], ...Object.fromEntries(Object.entries(owners).map(([k, v]) => [k, [v]])) }));

describe('holdersOwnership: whose is the entry holding a wanted name', () => {
  it("is 'same' when an employee id matches up to case and spaces: no second account for the same person", async () => {
    const { pool } = poolOf({ 'CN=a': { employeeID: [' e1234 '] } });
    await expect(holdersOwnership(pool, ['CN=a'], joiner({ employeeID: 'E1234' }))).resolves.toBe('same');
  });

  it("is 'same' when any holder matches on one attribute and differs on none", async () => {
    const { pool } = poolOf({ 'CN=other': { employeeID: ['E9'], employeeNumber: ['9'] }, 'CN=mine': { employeeNumber: ['N1'] } });
    await expect(holdersOwnership(pool, ['CN=other', 'CN=mine'], joiner({ employeeID: 'E1', employeeNumber: 'n1' }))).resolves.toBe('same');
  });

  it("is 'other' only when every holder carries every owner attribute, each with another person's value", async () => {
    const { pool, read } = poolOf({ 'CN=a': { employeeID: ['E2'], employeeNumber: ['2'] }, 'CN=b': { employeeID: ['E3'], employeeNumber: ['3'] } });
    await expect(holdersOwnership(pool, ['CN=a', 'CN=b'], joiner({ employeeID: 'E1', employeeNumber: '1' }))).resolves.toBe('other');
    expect(read).toEqual(['CN=a', 'CN=b']);
  });

  it("is 'unknown', never 'other', when a holder lacks an owner attribute or matches on one and differs on another", async () => {
    const cases: Record<string, string[]>[] = [
      {},
      { employeeID: ['  '] },
      { employeeID: ['E2'] },
      { employeeID: ['E1'], employeeNumber: ['2'] },
      { employeeID: ['E1', 'E2'], employeeNumber: ['1'] },
    ];
    for (const held of cases) {
      const { pool } = poolOf({ 'CN=a': held, 'CN=b': { employeeID: ['E3'], employeeNumber: ['3'] } });
      await expect(holdersOwnership(pool, ['CN=a', 'CN=b'], joiner({ employeeID: 'E1', employeeNumber: '1' })), JSON.stringify(held)).resolves.toBe('unknown');
    }
  });

  it("is 'unknown' without an owner attribute in the mapping or without holders, and reads nothing", async () => {
    const { pool, read } = poolOf({ 'CN=a': { employeeID: ['E1'] } });
    await expect(holdersOwnership(pool, ['CN=a'], joiner({}))).resolves.toBe('unknown');
    await expect(holdersOwnership(pool, [], joiner({ employeeID: 'E1' }))).resolves.toBe('unknown');
    expect(read).toEqual([]);
  });
});
