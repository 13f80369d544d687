import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText, type ConfigProblem } from './load.js';
import { MINIMAL_YAML } from './test-fixtures.js';

const FILE = '/etc/roster/roster.yaml';

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  const result = validateConfigText(text, FILE, { env });
  expect(result.config).toBeUndefined();
  return result.problems;
}

const SQL_TARGET = (createTables: string): string => MINIMAL_YAML.replace(
  'type: memory',
  `type: sql\n    connection:\n      url: sqlite:app.db\n      createTables: ${createTables}\n      users: { table: users, key: username, columns: {} }`,
);

describe('roster.yaml substitution and messages (review8)', () => {
  it('a shell-style ${NAME} or an unterminated ${env:NAME is a problem at its key, not a literal password', () => {
    const shell = problemsOf(MINIMAL_YAML.replace('path: hr.csv', 'path: "${HR_FILE}"'), { HR_FILE: 'x.csv' });
    expect(shell.map(formatProblem)).toEqual([
      '/etc/roster/roster.yaml:4:11: sources[0].path: malformed ${…} reference: write ${env:NAME} or ${file:PATH}, and $${ for a literal ${',
    ]);
    const open = problemsOf(MINIMAL_YAML.replace('path: hr.csv', 'path: "${env:HR_FILE"'), { HR_FILE: 'x.csv' });
    expect(open.map((p) => [p.path, p.line])).toEqual([['sources[0].path', 4]]);
    expect(open[0]!.message).toMatch(/^malformed \$\{…\} reference/);
  });

  it('$${ writes a literal ${ before any text, as documented', () => {
    const { config, problems } = validateConfigText(MINIMAL_YAML.replace('key: employeeId', () => 'key: "$${HOME}x"'), FILE, { env: {} });
    expect(problems).toEqual([]);
    expect(config!.sources[0]!.key).toBe('${HOME}x');
  });

  it('${env:} names no variable: said so', () => {
    const problems = problemsOf(MINIMAL_YAML.replace('path: hr.csv', 'path: "${env:}"'));
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['sources[0].path: ${env:} names nothing; write ${env:NAME}']);
  });

  it('a `__proto__` key is reported by name, never taken as settings inherited by the object', () => {
    const text = MINIMAL_YAML.replace('    accountKey: username\n', '    __proto__: { accountKey: username }\n');
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path)).toContain('targets[0].__proto__');
    expect(problems.find((p) => p.path === 'targets[0].__proto__')?.message).toBe("the key '__proto__' is not allowed");
  });

  it('an environment value "true" for a boolean key is the boolean (it was refused, and the message garbled to "expected *** or false")', () => {
    const { config, problems } = validateConfigText(SQL_TARGET('"${env:CREATE}"'), FILE, { env: { CREATE: 'true' } });
    expect(problems.map(formatProblem)).toEqual([]);
    expect((config!.targets[0]!.connection as { createTables: unknown }).createTables).toBe('true');
  });

  it('a duplicate key is named', () => {
    const problems = problemsOf(MINIMAL_YAML.replace('    key: employeeId\n', '    key: employeeId\n    key: other\n'));
    expect(problems.map(formatProblem)).toEqual(["/etc/roster/roster.yaml:6:5: YAML syntax: duplicate key 'key' (map keys must be unique)"]);
  });

  it('a number too large to hold is said so, not "expected a number, got a number"', () => {
    const problems = problemsOf(`server: { port: 1e400 }\n${MINIMAL_YAML}`);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['server.port: expected a number, got Infinity (out of range)']);
  });
});
