import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { freshSchema } from '../support/pg.js';

export interface Person {
  employeeId: string; givenName: string; familyName: string; email: string; department: string;
  title: string; location: string; managerId: string; employmentType: string; startDate: string; endDate: string; status: string;
}

export const COLUMNS: readonly (keyof Person)[] = [
  'employeeId', 'givenName', 'familyName', 'email', 'department', 'title', 'location', 'managerId',
  'employmentType', 'startDate', 'endDate', 'status',
];

export function person(over: Partial<Person> & Pick<Person, 'employeeId' | 'givenName' | 'familyName'>): Person {
  return {
    email: `${over.givenName.toLowerCase()}.${over.familyName.toLowerCase()}@example.com`,
    department: 'Engineering', title: 'Engineer', location: 'London', managerId: '',
    employmentType: 'employee', startDate: '2020-01-01', endDate: '', status: 'active',
    ...over,
  };
}

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function csv(people: readonly Person[]): string {
  return [COLUMNS.join(','), ...people.map((p) => COLUMNS.map((c) => quote(p[c])).join(','))].join('\n') + '\n';
}

/**
 * The `app` target as a list item under `targets:`: a sql target on
 * ./data/app.db (what appUsers reads), an ASCII "given.family" username,
 * email and department, and groups. A test adds target keys after it,
 * indented four spaces.
 */
export const APP_TARGET_YAML = `  - id: app
    type: sql
    connection:
      url: sqlite:./data/app.db
      createTables: true
      users: { table: users, key: username, columns: { username: username, email: email, department: department }, enabled: { column: active } }
      memberships: { table: user_groups, user: username, group: group_name }
    accountKey: username
    attributes:
      username: unique([identity.givenName.ascii().lowerAscii() + "." + identity.familyName.ascii().lowerAscii()])
      email: identity.email
      department: identity.department
`;

/** The store a test over both dialects uses: the project's SQLite default, or a fresh PostgreSQL schema and how to drop it. */
export async function dialectStore(dialect: 'sqlite' | 'postgres', prefix: string): Promise<{ store?: string; drop?: () => Promise<void> }> {
  if (dialect === 'sqlite') return {};
  const schema = await freshSchema(prefix);
  return { store: schema.url, drop: schema.drop };
}

/** Starts a built Roster server on a free loopback port: the base URL of its SCIM API. */
export async function listenScim(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/scim/v2`;
}

/** A temp project: roster.yaml with an `app` sql target on a SQLite file and a few roles. */
export function project(store: string | undefined, extraYaml = ''): { dir: string; config: string; hr: string; appDb: string } {
  const dir = mkdtempSync(join(tmpdir(), 'roster-e2e-'));
  const config = join(dir, 'roster.yaml');
  const hr = join(dir, 'employees.csv');
  writeFileSync(hr, csv([]));
  writeFileSync(config, `
store: ${store ?? 'sqlite:./data/roster.db'}
lifecycle: { prehireLeadDays: 7, timezone: UTC }
sources:
  - id: hr
    type: csv
    path: ./employees.csv
    key: employeeId
    fields: { startDate: startDate, endDate: endDate, status: status, employmentType: employmentType, manager: managerId }
    maxMissing: 50%
targets:
${APP_TARGET_YAML}    scope: identity.employmentType in ["employee", "contractor"]
    leaver: { disable: immediately, delete: after 30d }
    onLeave: disable
    safety: { maxDeletes: 50%, maxDisables: 50%, minAccounts: 10 }
    executor: { concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }
roles:
  - { id: staff, when: "true", grants: { app: [staff] } }
  - { id: engineering, when: 'identity.department == "Engineering"', grants: { app: [engineers] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { app: [sales] } }
  - { id: contractors, when: 'identity.employmentType == "contractor"', grants: { app: [contractors] } }
${extraYaml}`);
  return { dir, config, hr, appDb: join(dir, 'data', 'app.db') };
}

export interface AppUser { username: string; email: string; department: string; active: number; groups: string[] }

/** What the application database holds, read straight from its SQLite file. */
export function appUsers(appDb: string): Map<string, AppUser> {
  const db = new Database(appDb, { readonly: true });
  try {
    const users = db.prepare('SELECT username, email, department, active FROM users ORDER BY username').all() as Omit<AppUser, 'groups'>[];
    const groups = db.prepare('SELECT username, group_name FROM user_groups ORDER BY group_name').all() as { username: string; group_name: string }[];
    const out = new Map<string, AppUser>();
    for (const u of users) out.set(u.username, { ...u, active: Number(u.active), groups: [] });
    for (const g of groups) out.get(g.username)?.groups.push(g.group_name);
    return out;
  } finally {
    db.close();
  }
}
