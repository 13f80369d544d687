import { DEPARTMENTS } from './organisation.js';
import { formatDay, parseDay, type Person } from './people.js';
import { seededRandom } from './random.js';

export interface MutateOptions {
  readonly seed: number;
  /** The day the changes happen, YYYY-MM-DD. */
  readonly today: string;
  /** Terminate this many active people (status terminated, end date today). */
  readonly terminate?: number;
  /** Move this many active people to another department and title. */
  readonly move?: number;
}

export interface Mutation {
  readonly people: Person[];
  readonly terminated: readonly string[];
  readonly moved: readonly string[];
}

/** People who are working on `today`: started, not ended, not terminated or on leave. */
export function activePeople(people: readonly Person[], today: string): Person[] {
  const day = parseDay(today);
  return people.filter((person) => person.status === 'active'
    && parseDay(person.startDate) <= day
    && (person.endDate === '' || parseDay(person.endDate) > day));
}

/**
 * A later HR snapshot for benchmarks and demos: terminates and moves people
 * chosen at random (seeded) among the active ones, never the same person twice.
 * The input is not changed.
 */
export function mutate(people: readonly Person[], options: MutateOptions): Mutation {
  const random = seededRandom(options.seed);
  const candidates = activePeople(people, options.today).map((person) => person.employeeId);
  const take = (count: number): string[] => {
    const chosen: string[] = [];
    while (chosen.length < count && candidates.length > 0) {
      const index = random.int(0, candidates.length - 1);
      chosen.push(candidates[index]!);
      candidates[index] = candidates[candidates.length - 1]!;
      candidates.pop();
    }
    return chosen;
  };
  const terminated = take(options.terminate ?? 0);
  const moved = take(options.move ?? 0);
  const endDate = formatDay(parseDay(options.today));
  const byId = new Map(people.map((person) => [person.employeeId, person]));
  for (const id of terminated) byId.set(id, { ...byId.get(id)!, status: 'terminated', endDate });
  for (const id of moved) {
    const person = byId.get(id)!;
    const department = random.pick(DEPARTMENTS.filter((d) => d.name !== person.department));
    byId.set(id, { ...person, department: department.name, title: random.pick(department.titles), costCenter: `CC-${department.code}-100` });
  }
  return { people: [...byId.values()], terminated, moved };
}
