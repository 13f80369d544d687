import { RosterError } from '../core/errors.js';
import { foldAscii } from './ascii.js';
import { COMMON_NAMES, CULTURES, ROMANISED } from './names.js';
import { CEO, DEPARTMENTS, LOCATIONS, type Department } from './organisation.js';
import { seededRandom, type Random } from './random.js';

/** One person in the demo HR feed: the columns of examples/demo/hr/employees.csv. */
export interface Person {
  readonly employeeId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly department: string;
  readonly title: string;
  readonly location: string;
  /** "" for the CEO; otherwise an earlier employeeId. */
  readonly managerId: string;
  readonly employmentType: 'employee' | 'contractor';
  readonly startDate: string;
  /** Termination or contract end (YYYY-MM-DD), "" when none. */
  readonly endDate: string;
  /** 'active' | 'leave' | 'terminated' */
  readonly status: string;
  readonly costCenter: string;
}

export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  /** The day the data describes, YYYY-MM-DD: dates are spread around it. */
  readonly today: string;
}

/** Relative department sizes, in DEPARTMENTS order. */
const WEIGHTS = [25, 14, 8, 6, 4, 3, 12, 7, 10, 11];
const DAY_MS = 86_400_000;

/**
 * Generate a deterministic organisation: a CEO (E000001), one head per
 * department reporting to the CEO, then staff reporting to earlier managers of
 * their department. About 15% contractors with contract end dates (some
 * already past), 2% future hires, 2% future terminations, 3% terminated, 1% on
 * leave. Names come from many cultures, with common names repeated on purpose.
 */
export function generatePeople(options: GenerateOptions): Person[] {
  const today = parseDay(options.today);
  const random = seededRandom(options.seed);
  const emails = new Map<string, number>();
  const managers = new Map<string, string[]>();
  const people: Person[] = [];
  for (let index = 1; index <= options.count; index += 1) {
    const employeeId = `E${String(index).padStart(6, '0')}`;
    const [givenName, familyName] = chooseName(index, random);
    const email = uniqueEmail(givenName, familyName, emails);
    const role = chooseRole(index, random, managers);
    if (role.manages) addManager(managers, role.department.name, employeeId);
    const location = random.pick(LOCATIONS);
    const employment = chooseEmployment(role.manages, today, random);
    people.push({
      employeeId, givenName, familyName, email,
      department: role.department.name, title: role.title, location, managerId: role.managerId,
      employmentType: employment.employmentType, startDate: employment.startDate,
      endDate: employment.endDate, status: employment.status,
      costCenter: `CC-${role.department.code}-${100 + LOCATIONS.indexOf(location)}`,
    });
  }
  return people;
}

function addManager(managers: Map<string, string[]>, department: string, employeeId: string): void {
  const list = managers.get(department);
  if (list) list.push(employeeId);
  else managers.set(department, [employeeId]);
}

interface Role {
  readonly department: Department;
  readonly title: string;
  readonly managerId: string;
  readonly manages: boolean;
}

function chooseRole(index: number, random: Random, managers: Map<string, string[]>): Role {
  if (index === 1) return { department: departmentNamed(CEO.department), title: CEO.title, managerId: '', manages: true };
  if (index <= DEPARTMENTS.length + 1) {
    const department = DEPARTMENTS[index - 2]!;
    return { department, title: department.headTitle, managerId: 'E000001', manages: true };
  }
  const department = DEPARTMENTS[weightedIndex(random)]!;
  const managerId = random.pick(managers.get(department.name) ?? ['E000001']);
  const manages = random.chance(0.08);
  return { department, title: manages ? department.managerTitle : random.pick(department.titles), managerId, manages };
}

function chooseEmployment(manager: boolean, today: number, random: Random): Pick<Person, 'employmentType' | 'startDate' | 'endDate' | 'status'> {
  let start = today - random.int(30, 3650);
  let end: number | undefined;
  let status = 'active';
  const contractor = !manager && random.chance(0.17);
  if (contractor) {
    end = today + random.int(-120, 365); // some contracts have already ended
    start = Math.min(start, end - random.int(90, 730));
  }
  const roll = manager ? 1 : random.next();
  if (roll < 0.02) {
    start = today + random.int(1, 30); // future-dated hire
    end = contractor ? start + random.int(90, 365) : undefined;
  } else if (roll < 0.04) {
    end = today + random.int(1, 30); // future-dated termination
  } else if (roll < 0.07) {
    end = today - random.int(1, 365);
    start = Math.min(start, end - random.int(30, 1000));
    status = 'terminated';
  } else if (roll < 0.08) {
    status = 'leave';
  }
  return {
    employmentType: contractor ? 'contractor' : 'employee',
    startDate: formatDay(start),
    endDate: end === undefined ? '' : formatDay(end),
    status,
  };
}

function chooseName(index: number, random: Random): readonly [string, string] {
  if (index % 50 === 25) return ['John', 'Smith'];
  if (index % 50 === 45) return COMMON_NAMES[Math.floor(index / 50) % COMMON_NAMES.length]!;
  const culture = random.pick(CULTURES);
  return [random.pick(culture.given), random.pick(culture.family)];
}

function uniqueEmail(givenName: string, familyName: string, taken: Map<string, number>): string {
  const local = `${asciiName(givenName)}.${asciiName(familyName)}`.toLowerCase();
  const seen = (taken.get(local) ?? 0) + 1;
  taken.set(local, seen);
  return `${seen === 1 ? local : `${local}${seen}`}@example.com`;
}

const folded = new Map<string, string>();

function asciiName(name: string): string {
  let ascii = folded.get(name);
  if (ascii === undefined) {
    ascii = ROMANISED[name] ?? foldAscii(name);
    folded.set(name, ascii);
  }
  return ascii;
}

function weightedIndex(random: Random): number {
  const total = WEIGHTS.reduce((sum, weight) => sum + weight, 0);
  let point = random.next() * total;
  for (let index = 0; index < WEIGHTS.length; index += 1) {
    point -= WEIGHTS[index]!;
    if (point < 0) return index;
  }
  return WEIGHTS.length - 1;
}

function departmentNamed(name: string): Department {
  const department = DEPARTMENTS.find((d) => d.name === name);
  if (!department) throw new RosterError('internal', `unknown department ${name}`);
  return department;
}

/** Days since 1970-01-01 for a YYYY-MM-DD date. */
export function parseDay(day: string): number {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(time)) throw new RosterError('request.invalid', `not a YYYY-MM-DD date: "${day}"`);
  return Math.round(time / DAY_MS);
}

const formatted = new Map<number, string>();

export function formatDay(day: number): string {
  let text = formatted.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    formatted.set(day, text);
  }
  return text;
}
