/**
 * Test helper (not shipped behaviour): a project on disk with an HR file and
 * one `memory` target seeded with accounts made "before Roster came", for
 * tests of reconcile through the engine and the CLI. The memory target lives
 * in the process (memoryTargets) across engines opened on the project.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SeedAccount {
  readonly username: string;
  readonly email?: string;
  readonly employeeNumber?: string;
  readonly enabled?: boolean;
}

export interface HrPerson {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email?: string;
}

export interface TestProject {
  readonly dir: string;
  readonly config: string;
  /** Rewrite roster.yaml with this orphan action and disable limit (the seed only counts the first time). */
  write(orphans: 'report' | 'disable' | 'delete', maxDisables?: string): void;
  remove(): void;
}

/**
 * The `reconcile` keys of a target in the reconcile tests (here and in the
 * directory e2e tests): link by the account's copy of the employee id first,
 * exactly, then by email (normalised); `orphans` is what the test is about.
 * Indented as target keys, ending in a newline.
 */
export function reconcileYaml(employeeIdAttribute: string, orphans: string): string {
  return `    reconcile:
      match:
        - { account: ${employeeIdAttribute}, identity: employeeId, normalise: exact }
        - { account: email, identity: email }
      orphans: ${orphans}
`;
}

export function reconcileProject(target: string, seed: readonly SeedAccount[], people: readonly HrPerson[]): TestProject {
  const dir = mkdtempSync(join(tmpdir(), 'roster-reconcile-'));
  const config = join(dir, 'roster.yaml');
  const rows = people.map((p) => [p.id, p.givenName, p.familyName, p.email ?? `${p.givenName}.${p.familyName}@example.com`.toLowerCase()].join(','));
  writeFileSync(join(dir, 'employees.csv'), ['employeeId,givenName,familyName,email', ...rows].join('\n') + '\n');
  const accounts = seed.map((a) => {
    const attributes = JSON.stringify({ username: a.username, ...(a.email ? { email: a.email } : {}), ...(a.employeeNumber ? { employeeNumber: a.employeeNumber } : {}) });
    return `        - { attributes: ${attributes}, enabled: ${a.enabled ?? true} }`;
  });
  const write = (orphans: string, maxDisables = '100%'): void => writeFileSync(config, `
store: sqlite:./data/roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: ${target}
    type: memory
    connection:
      key: username
      seed:
${accounts.length > 0 ? accounts.join('\n') : '        []'}
    accountKey: username
    attributes:
      username: unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])
      email: identity.email
      employeeNumber: identity.employeeId
    safety: { maxDeletes: 100%, maxDisables: ${maxDisables}, minAccounts: 0 }
    executor: { concurrency: 2, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }
${reconcileYaml('employeeNumber', orphans)}`);
  write('report');
  return { dir, config, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
