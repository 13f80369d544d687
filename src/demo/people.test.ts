import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../sources/csv.js';
import { toCsv } from './csv.js';
import { generatePeople, type Person } from './people.js';
import { DEPARTMENTS, LOCATIONS } from './organisation.js';

const today = '2026-11-27';

function share(people: readonly Person[], test: (person: Person) => boolean): number {
  return people.filter(test).length / people.length;
}

describe('generatePeople', () => {
  const people = generatePeople({ count: 5000, seed: 7, today });

  it('is deterministic: the same seed gives the same bytes, another seed other people', () => {
    expect(toCsv(generatePeople({ count: 300, seed: 7, today }))).toBe(toCsv(people.slice(0, 300)));
    expect(toCsv(generatePeople({ count: 300, seed: 8, today }))).not.toBe(toCsv(people.slice(0, 300)));
  });

  it('builds a manager tree: a CEO, one head per department, managers are earlier ids in the department', () => {
    const byId = new Map(people.map((p) => [p.employeeId, p]));
    expect(people[0]).toMatchObject({ employeeId: 'E000001', managerId: '', title: 'Chief Executive Officer' });
    const heads = people.slice(1, 1 + DEPARTMENTS.length);
    expect(heads.map((p) => p.department)).toEqual(DEPARTMENTS.map((d) => d.name));
    expect(heads.every((p) => p.managerId === 'E000001' && p.title.startsWith('Head of'))).toBe(true);
    for (const person of people.slice(1 + DEPARTMENTS.length)) {
      const manager = byId.get(person.managerId);
      expect(manager && manager.employeeId < person.employeeId).toBe(true);
      expect(manager!.department === person.department || manager!.employeeId === 'E000001').toBe(true);
    }
  });

  it('uses every department and location with titles of that department', () => {
    expect(new Set(people.map((p) => p.department)).size).toBe(DEPARTMENTS.length);
    expect(new Set(people.map((p) => p.location))).toEqual(new Set(LOCATIONS));
    const engineering = DEPARTMENTS.find((d) => d.name === 'Engineering')!;
    const allowed = new Set([...engineering.titles, engineering.headTitle, engineering.managerTitle]);
    expect(people.filter((p) => p.department === 'Engineering').every((p) => allowed.has(p.title))).toBe(true);
  });

  it('has the lifecycle mix: contractors, future hires and terminations, terminated, on leave', () => {
    const day = (d: string): number => Date.parse(d);
    const now = day(today);
    const contractors = people.filter((p) => p.employmentType === 'contractor');
    expect(share(people, (p) => p.employmentType === 'contractor')).toBeCloseTo(0.15, 1);
    expect(contractors.every((p) => p.endDate !== '')).toBe(true);
    expect(contractors.some((p) => day(p.endDate) < now && p.status === 'active')).toBe(true);
    const futureHires = share(people, (p) => day(p.startDate) > now);
    expect(futureHires).toBeGreaterThan(0.01);
    expect(futureHires).toBeLessThan(0.03);
    expect(people.filter((p) => day(p.startDate) > now).every((p) => day(p.startDate) - now <= 30 * 86_400_000)).toBe(true);
    expect(share(people, (p) => p.status === 'terminated')).toBeGreaterThan(0.02);
    expect(share(people, (p) => p.status === 'terminated')).toBeLessThan(0.04);
    expect(share(people, (p) => p.status === 'leave')).toBeGreaterThan(0.005);
    expect(share(people, (p) => p.status === 'active' && p.endDate !== '' && day(p.endDate) > now && p.employmentType === 'employee')).toBeGreaterThan(0.01);
    expect(people.every((p) => p.endDate === '' || p.startDate < p.endDate)).toBe(true);
  });

  it('has non-ASCII and CJK names, repeated common names and unique ASCII e-mails', () => {
    const names = people.map((p) => `${p.givenName} ${p.familyName}`);
    expect(names.filter((n) => n === 'John Smith').length).toBeGreaterThan(50);
    expect(names.some((n) => /[^\x00-\x7F]/.test(n))).toBe(true);
    expect(names.some((n) => /[\u4E00-\u9FFF]/.test(n))).toBe(true);
    expect(new Set(people.map((p) => p.email)).size).toBe(people.length);
    expect(people.every((p) => /^[a-z0-9]+\.[a-z0-9-]+\d*@example\.com$/.test(p.email))).toBe(true);
    expect(people.filter((p) => p.givenName === 'John' && p.familyName === 'Smith').slice(0, 2).map((p) => p.email))
      .toEqual(['john.smith@example.com', 'john.smith2@example.com']);
  });

  it('round-trips through the CSV source parser without problems', () => {
    const batch = parseCsv(toCsv(people), { sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'] });
    expect(batch.problems).toEqual([]);
    expect(batch.records).toHaveLength(people.length);
    expect(batch.records[24]!.attributes).toEqual({ ...people[24] });
  });

  it('scales to 100,000 people with unique ids and e-mails', () => {
    const many = generatePeople({ count: 100_000, seed: 1, today });
    expect(many).toHaveLength(100_000);
    expect(new Set(many.map((p) => p.email)).size).toBe(100_000);
    expect(many[99_999]!.employeeId).toBe('E100000');
  });

  it('refuses a malformed today', () => {
    expect(() => generatePeople({ count: 1, seed: 1, today: '27/11/2026' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('examples/demo/hr/employees.csv', () => {
  it('is exactly what write-demo generates (200 people, seed 42, 2026-11-27)', async () => {
    const committed = await readFile(new URL('../../examples/demo/hr/employees.csv', import.meta.url), 'utf8');
    expect(committed).toBe(toCsv(generatePeople({ count: 200, seed: 42, today })));
  });
});
