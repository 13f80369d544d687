import { describe, expect, it } from 'vitest';
import { foldAscii } from './ascii.js';
import { toCsv } from './csv.js';
import { activePeople, mutate } from './mutate.js';
import { generatePeople } from './people.js';

const today = '2026-11-27';
const people = generatePeople({ count: 1000, seed: 3, today });

describe('mutate', () => {
  it('terminates and moves distinct active people, deterministically, without touching the input', () => {
    const before = toCsv(people);
    const result = mutate(people, { seed: 9, today, terminate: 20, move: 10 });
    expect(toCsv(people)).toBe(before);
    expect(result.terminated).toHaveLength(20);
    expect(result.moved).toHaveLength(10);
    expect(new Set([...result.terminated, ...result.moved]).size).toBe(30);
    const byId = new Map(result.people.map((p) => [p.employeeId, p]));
    const original = new Map(people.map((p) => [p.employeeId, p]));
    for (const id of result.terminated) expect(byId.get(id)).toMatchObject({ status: 'terminated', endDate: today });
    for (const id of result.moved) expect(byId.get(id)!.department).not.toBe(original.get(id)!.department);
    expect(result.people.map((p) => p.employeeId)).toEqual(people.map((p) => p.employeeId));
    expect(mutate(people, { seed: 9, today, terminate: 20, move: 10 }).terminated).toEqual(result.terminated);
  });

  it('only picks people who are active today', () => {
    const active = new Set(activePeople(people, today).map((p) => p.employeeId));
    expect(active.size).toBeLessThan(people.length);
    expect(mutate(people, { seed: 1, today, terminate: 50 }).terminated.every((id) => active.has(id))).toBe(true);
  });
});

describe('foldAscii', () => {
  it('folds accents and special letters and drops everything else', () => {
    expect(['Zoë', 'Łukasz', 'José', 'Müller', 'Søren', 'Nguyễn', "O'Brien", 'Weiß', 'Sigurðsson', 'Yılmaz', 'Al-Sayed', '李'].map(foldAscii))
      .toEqual(['Zoe', 'Lukasz', 'Jose', 'Muller', 'Soren', 'Nguyen', 'OBrien', 'Weiss', 'Sigurdsson', 'Yilmaz', 'AlSayed', '']);
  });
});
