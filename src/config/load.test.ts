import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { EXAMPLE_YAML, MINIMAL_YAML } from './test-fixtures.js';
import { formatProblem, loadConfig, validateConfigText, type ConfigProblem } from './load.js';

const FILE = '/etc/roster/roster.yaml';

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  const result = validateConfigText(text, FILE, { env });
  expect(result.config).toBeUndefined();
  expect(result.problems.length).toBeGreaterThan(0);
  return result.problems;
}

function only(text: string, env: NodeJS.ProcessEnv = {}): ConfigProblem {
  const problems = problemsOf(text, env);
  expect(problems.map(formatProblem)).toHaveLength(1);
  return problems[0]!;
}

function replaceLine(text: string, line: number, content: string): string {
  const lines = text.split('\n');
  lines[line - 1] = content;
  return lines.join('\n');
}

describe('validateConfigText: valid files', () => {
  it('loads the example with every default filled and paths resolved', () => {
    const { config, problems } = validateConfigText(EXAMPLE_YAML, FILE, { env: {} });
    expect(problems).toEqual([]);
    expect(config).toBeDefined();
    expect(config!.file).toBe(FILE);
    expect(config!.baseDir).toBe('/etc/roster');
    expect(config!.store).toBe('sqlite:/etc/roster/data/roster.db');
    expect(config!.lifecycle).toEqual({
      prehireLeadDays: 7,
      prehireEntitlements: true,
      leaveStatuses: ['leave', 'on leave', 'loa'],
      terminatedStatuses: ['terminated', 'inactive', 'leaver'],
      rescindedStatuses: ['rescinded', 'withdrawn', 'cancelled'],
      timezone: 'UTC',
      conversionGapDays: 3,
    });
    const [source] = config!.sources;
    expect(source).toMatchObject({ id: 'hr', type: 'csv', path: '/etc/roster/hr/employees.csv', delimiter: ',', complete: true, maxMissing: { percent: 20 } });
    const [target] = config!.targets;
    expect(target!.leaver).toEqual({ disable: 'immediately', deleteAfterMs: 30 * 86_400_000 });
    expect(target!.safety).toEqual({ maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, maxRevokes: { percent: 10 }, minAccounts: 10, windowMs: 3_600_000 });
    expect(target!.executor).toEqual({ concurrency: 4, maxAttempts: 8, backoffBaseMs: 500, backoffMaxMs: 300_000, quarantineAfter: 20 });
    expect(target!.connection['url']).toBe('sqlite:./data/app.db');
    expect(config!.roles[0]).toEqual({
      id: 'engineering',
      description: 'Everyone in Engineering',
      when: 'identity.department == "Engineering"',
      grants: { app: ['engineers'] },
    });
  });

  it('fills the documented defaults of a minimal file', () => {
    const { config, problems } = validateConfigText(MINIMAL_YAML, FILE, { env: {} });
    expect(problems).toEqual([]);
    expect(config!.store).toBe('sqlite:/etc/roster/data/roster.db');
    expect(config!.server).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: false });
    expect(config!.sources[0]!.fields).toEqual({ startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' });
    expect(config!.sources[0]!.schedule).toBeUndefined();
    const target = config!.targets[0]!;
    expect(target.scope).toBe('true');
    expect(target.onLeave).toBe('disable');
    expect(target.leaver).toEqual({ disable: 'immediately', deleteAfterMs: 2_592_000_000 });
    expect(target.connection).toEqual({});
    expect(config!.roles).toEqual([]);
  });

  it('makes push sources incomplete and keeps postgres URLs', () => {
    const text = MINIMAL_YAML.replace('type: csv\n    path: hr.csv', 'type: push').replace('sources:', 'store: postgres://roster@db:5432/roster\nsources:');
    const { config, problems } = validateConfigText(text, FILE, { env: {} });
    expect(problems).toEqual([]);
    expect(config!.store).toBe('postgres://roster@db:5432/roster');
    expect(config!.sources[0]!.complete).toBe(false);
    expect(config!.sources[0]!.path).toBeUndefined();
  });

  it('accepts counts and durations in their other spellings', () => {
    const text = replaceLine(replaceLine(EXAMPLE_YAML, 27, '    leaver: { disable: never, delete: never }'), 29, '    safety: { maxDeletes: 3, maxDisables: "12", maxRevokes: "7", minAccounts: 0 }');
    const { config, problems } = validateConfigText(text, FILE, { env: {} });
    expect(problems).toEqual([]);
    expect(config!.targets[0]!.leaver).toEqual({ disable: 'never', deleteAfterMs: null });
    expect(config!.targets[0]!.safety).toEqual({ maxDeletes: { count: 3 }, maxDisables: { count: 12 }, maxRevokes: { count: 7 }, minAccounts: 0, windowMs: 3_600_000 });
  });

  it('reads safety.maxRevokes as a percentage or a count, and refuses anything else at its key', () => {
    const percent = validateConfigText(replaceLine(EXAMPLE_YAML, 29, '    safety: { maxRevokes: 2.5% }'), FILE, { env: {} });
    expect(percent.problems).toEqual([]);
    expect(percent.config!.targets[0]!.safety).toMatchObject({ maxRevokes: { percent: 2.5 }, maxDisables: { percent: 10 } });
    const bad = validateConfigText(replaceLine(EXAMPLE_YAML, 29, '    safety: { maxRevokes: lots }'), FILE, { env: {} });
    expect(bad.problems).toEqual([expect.objectContaining({ path: 'targets[0].safety.maxRevokes' })]);
    const typo = validateConfigText(replaceLine(EXAMPLE_YAML, 29, '    safety: { maxRevoke: 5% }'), FILE, { env: {} });
    expect(typo.problems).toEqual([expect.objectContaining({ message: "unknown key 'maxRevoke' (did you mean 'maxRevokes'?)" })]);
  });

  it('reads safety.window as a duration (default 1h); 0, none, never turn it off; anything else is refused at its key', () => {
    const windowOf = (value: string) => validateConfigText(replaceLine(EXAMPLE_YAML, 29, `    safety: { window: ${value} }`), FILE, { env: {} });
    for (const [value, ms] of [['90m', 5_400_000], ['2h', 7_200_000], ['"after 1d"', 86_400_000], ['0', 0], ['"0"', 0], ['none', 0], ['never', 0], ['immediately', 0]] as const) {
      const { config, problems } = windowOf(value);
      expect(problems).toEqual([]);
      expect(config!.targets[0]!.safety.windowMs).toBe(ms);
    }
    const bad = windowOf('soon');
    expect(bad.problems).toEqual([expect.objectContaining({
      path: 'targets[0].safety.window',
      message: 'expected a duration such as "30d", "after 30d", "12h", "90m", "immediately" or "never", or "none" (no window)',
    })]);
  });
});

describe('validateConfigText: located problems', () => {
  it('reports a YAML syntax error', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 8, '    key: [employeeId'));
    expect(problem.message).toMatch(/^YAML syntax: /);
    expect(problem.line).toBeGreaterThanOrEqual(8);
    expect(problem.path).toBe('');
  });

  it('reports an alias expansion bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'];
    const problem = only(bomb.join('\n'));
    expect(problem).toMatchObject({ line: 1, column: 1, path: '' });
    expect(problem.message).toMatch(/^YAML: .*alias/i);
  });

  it('reports an unknown key at the key, naming it', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 9, '    shedule: "*/5 * * * *"'));
    expect(problem).toMatchObject({ file: FILE, line: 9, column: 5, path: 'sources[0].shedule', message: "unknown key 'shedule' (did you mean 'schedule'?)" });
    expect(formatProblem(problem)).toBe("/etc/roster/roster.yaml:9:5: sources[0].shedule: unknown key 'shedule' (did you mean 'schedule'?)");
    const far = only(replaceLine(EXAMPLE_YAML, 2, 'server: { host: 127.0.0.1, port: 8080, tls: true }'));
    expect(far).toMatchObject({ line: 2, column: 40, path: 'server.tls', message: "unknown key 'tls' (allowed: host, port, trustProxy)" });
  });

  it('reports a wrong type', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 8, '    key: [employeeId]'));
    expect(problem).toMatchObject({ line: 8, column: 10, path: 'sources[0].key', message: 'expected a string, got a list' });
  });

  it('reports a missing required key at its parent', () => {
    const problem = only(EXAMPLE_YAML.replace('    key: employeeId\n', ''));
    expect(problem).toMatchObject({ line: 5, column: 5, path: 'sources[0].key', message: "missing required key 'key' (a string)" });
  });

  it('reports a bad enum value with the allowed values', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 6, '    type: xml'));
    expect(problem).toMatchObject({ line: 6, column: 11, path: 'sources[0].type', message: 'expected one of csv, json, push, ldap, ad, scim' });
  });

  it('reports a bad threshold', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 11, '    maxMissing: lots'));
    expect(problem).toMatchObject({ line: 11, column: 17, path: 'sources[0].maxMissing' });
    expect(problem.message).toContain('expected a count (5) or a percentage ("5%")');
    expect(only(replaceLine(EXAMPLE_YAML, 11, '    maxMissing: 150%')).message).toContain('between 0% and 100%');
  });

  it('reports a bad duration', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 27, '    leaver: { disable: immediately, delete: after a month }'));
    expect(problem).toMatchObject({ line: 27, column: 45, path: 'targets[0].leaver.delete' });
    expect(problem.message).toContain('expected a duration such as "30d"');
  });

  it('reports a bad cron schedule', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 9, '    schedule: "61 * * * *"'));
    expect(problem).toMatchObject({ line: 9, column: 15, path: 'sources[0].schedule' });
    expect(problem.message).toMatch(/^invalid cron schedule: .*minute/);
  });

  it('reports a bad reconcile schedule at its key, and takes a good one', () => {
    const text = replaceLine(EXAMPLE_YAML, 30, '    executor: { concurrency: 4, maxAttempts: 8 }\n    reconcile: { schedule: "0 25 * * *" }');
    const problem = only(text);
    expect(problem).toMatchObject({ line: 31, column: 28, path: 'targets[0].reconcile.schedule' });
    expect(problem.message).toMatch(/^invalid cron schedule: .*hour/);
    const good = validateConfigText(text.replace('0 25 * * *', '0 3 * * *'), FILE, { env: {} });
    expect(good.problems).toEqual([]);
    expect(good.config?.targets[0]?.reconcile?.schedule).toBe('0 3 * * *');
  });

  it('reports a bad time zone', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 3, 'lifecycle: { prehireLeadDays: 7, timezone: Mars/Olympus }'));
    expect(problem).toMatchObject({ line: 3, column: 44, path: 'lifecycle.timezone' });
  });

  it('points into a bad CEL expression', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 34, '    when: identity.department == 1 ==='));
    // The expression starts at column 11; the stray '=' is at offset 27 of it.
    expect(problem).toMatchObject({ line: 34, column: 38, path: 'roles[0].when' });
    expect(problem.message).toMatch(/^invalid condition: Unexpected character/);
    const quoted = only(replaceLine(EXAMPLE_YAML, 24, '      email: "identity.email.frob()"'));
    expect(quoted).toMatchObject({ line: 24, column: 15, path: 'targets[0].attributes.email' });
    expect(quoted.message).toContain('frob');
  });

  it('rejects a condition that is not bool', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 20, '    scope: identity.givenName + "x"'));
    expect(problem).toMatchObject({ line: 20, column: 12, path: 'targets[0].scope' });
    expect(problem.message).toContain('must be a bool expression');
  });

  it('reports a role granting in an unknown target at the grant key', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 35, '    grants: { app: [engineers], wiki: [editors] }'));
    expect(problem).toMatchObject({ line: 35, column: 33, path: 'roles[0].grants.wiki', message: "unknown target 'wiki' (targets are app)" });
  });

  it('reports duplicate ids at the second one', () => {
    const text = `${EXAMPLE_YAML}  - id: engineering\n    when: "true"\n`;
    const problem = only(text);
    expect(problem).toMatchObject({ line: 36, column: 9, path: 'roles[1].id', message: "duplicate role id 'engineering' (first defined at line 32)" });
  });

  it('reports an accountKey that is not an attribute, and an unknown target type', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 21, '    accountKey: login'));
    expect(problem).toMatchObject({ line: 21, column: 17, path: 'targets[0].accountKey' });
    expect(problem.message).toContain('username, email, displayName, department');
    const typeProblem = problemsOf(replaceLine(EXAMPLE_YAML, 14, '    type: ldapish')).find((p) => p.path === 'targets[0].type');
    expect(typeProblem).toMatchObject({ line: 14, column: 11, message: "unknown target type 'ldapish'; expected one of ad, ldap, memory, scim, sql" });
  });

  it('reports a secret that is not an attribute of the target, or is its account key', () => {
    const unknown = only(replaceLine(EXAMPLE_YAML, 21, '    accountKey: username\n    secrets: [pin]'));
    expect(unknown).toMatchObject({ path: 'targets[0].secrets[0]', message: "pin is not one of this target's attributes" });
    const key = only(replaceLine(EXAMPLE_YAML, 21, '    accountKey: username\n    secrets: [email, username]'));
    expect(key).toMatchObject({ path: 'targets[0].secrets[1]', message: 'username is the account key: it cannot be a secret' });
    const withDn = EXAMPLE_YAML.replace('      email: identity.email\n', '      email: identity.email\n      dn: \'"uid=x"\'\n');
    expect(withDn).not.toBe(EXAMPLE_YAML);
    const dn = only(replaceLine(withDn, 21, '    accountKey: username\n    secrets: [dn]'));
    expect(dn).toMatchObject({ path: 'targets[0].secrets[0]', message: 'dn places the account: it cannot be a secret' });
    const withUnique = EXAMPLE_YAML.replace('      email: identity.email\n', '      email: identity.email\n      pin: unique([identity.employeeId])\n');
    expect(withUnique).not.toBe(EXAMPLE_YAML);
    const unique = only(replaceLine(withUnique, 21, '    accountKey: username\n    secrets: [pin]'));
    expect(unique).toMatchObject({ path: 'targets[0].secrets[0]', message: 'pin uses unique(): a secret is kept only as a fingerprint, so its uniqueness cannot be checked' });
    const valid = validateConfigText(replaceLine(EXAMPLE_YAML, 21, '    accountKey: username\n    secrets: [email]'), FILE, { env: {} });
    expect(valid.problems).toEqual([]);
    expect(valid.config?.targets[0]?.secrets).toEqual(['email']);
  });

  it("validates the connection with the connector's schema", () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 17, '      createTables: maybe'));
    expect(problem).toMatchObject({ line: 17, column: 21, path: 'targets[0].connection.createTables', message: 'expected true or false, got a string' });
    const unknown = only(replaceLine(EXAMPLE_YAML, 17, '      createTabels: true'));
    expect(unknown).toMatchObject({ line: 17, column: 7, path: 'targets[0].connection.createTabels', message: "unknown key 'createTabels' (did you mean 'createTables'?)" });
  });

  it('reports a missing environment variable at its node, once', () => {
    const problem = only(replaceLine(EXAMPLE_YAML, 2, 'server: { host: 127.0.0.1, port: "${env:ROSTER_PORT}" }'));
    expect(problem).toMatchObject({ line: 2, column: 34, path: 'server.port', message: 'environment variable ROSTER_PORT is not set' });
  });

  it('still checks CEL when the schema fails', () => {
    const text = replaceLine(replaceLine(EXAMPLE_YAML, 6, '    type: xml'), 34, '    when: identity.department = "x"');
    expect(problemsOf(text).map((p) => p.path)).toEqual(['sources[0].type', 'roles[0].when']);
  });

  it('sorts several problems by position', () => {
    const text = replaceLine(replaceLine(EXAMPLE_YAML, 6, '    type: xml'), 2, 'server: { host: 127.0.0.1, port: 99999 }');
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path)).toEqual(['server.port', 'sources[0].type']);
    expect(problems[0]!.message).toBe('expected a number <= 65535');
  });
});

describe('substitution', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-config-'));
    await writeFile(join(dir, 'db-password'), 's3cret-from-file\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('substitutes ${env:…} and ${file:…} and keeps $${ literal', () => {
    const text = MINIMAL_YAML.replace('sources:', 'store: "postgres://roster:${file:db-password}@${env:DB_HOST}/roster"\nsources:').replace(
      'key: employeeId',
      () => 'key: "$${env:literal}"',
    );
    const { config, problems } = validateConfigText(text, join(dir, 'roster.yaml'), { env: { DB_HOST: 'db.internal' } });
    expect(problems).toEqual([]);
    expect(config!.store).toBe('postgres://roster:s3cret-from-file@db.internal/roster');
    expect(config!.sources[0]!.key).toBe('${env:literal}');
  });

  it('never puts a substituted value in a message', () => {
    const secret = 'hunter2-very-secret';
    const text = MINIMAL_YAML.replace('type: csv', 'type: "${env:SOURCE_TYPE}"').replace('username: identity.employeeId', 'username: "identity.${env:SOURCE_TYPE}"');
    const problems = problemsOf(text, { SOURCE_TYPE: secret });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    for (const problem of problems) expect(formatProblem(problem)).not.toContain(secret);
    expect(problems.find((p) => p.path === 'sources[0].type')?.message).toBe('expected one of csv, json, push, ldap, ad, scim');
  });

  it('reports an unreadable file without its content', () => {
    const text = MINIMAL_YAML.replace('path: hr.csv', 'path: "${file:missing.txt}"');
    const problem = only(text);
    expect(problem).toMatchObject({ path: 'sources[0].path', message: 'cannot read file missing.txt (ENOENT)' });
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file and resolves paths against its directory', async () => {
    const file = join(dir, 'roster.yaml');
    await writeFile(file, EXAMPLE_YAML);
    const config = await loadConfig(file, { env: {} });
    expect(config.file).toBe(file);
    expect(config.sources[0]!.path).toBe(join(dir, 'hr', 'employees.csv'));
    expect(config.store).toBe(`sqlite:${join(dir, 'data', 'roster.db')}`);
  });

  it('throws config.not_found for a missing file', async () => {
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'config.not_found' });
  });

  it('throws config.invalid with the problems in details and the message', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, replaceLine(EXAMPLE_YAML, 6, '    type: xml'));
    const error = await loadConfig(file, { env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RosterError);
    expect((error as RosterError).code).toBe('config.invalid');
    const problems = (error as RosterError).details?.['problems'] as ConfigProblem[];
    expect(problems).toHaveLength(1);
    expect((error as RosterError).message).toContain(`${file}:6:11: sources[0].type: expected one of csv, json, push`);
  });
});
