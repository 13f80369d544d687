import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';
import { MINIMAL_YAML } from './test-fixtures.js';

/** Review 15: the workers' lease length, `executor.leaseSeconds` at the top level of roster.yaml. */
const FILE = '/etc/roster/roster.yaml';
const withLease = (value: string) => `${MINIMAL_YAML.trimEnd()}\nexecutor: { leaseSeconds: ${value} }\n`;

describe('executor.leaseSeconds (review 15)', () => {
  it('defaults to 60 and takes a whole number of seconds', () => {
    expect(validateConfigText(MINIMAL_YAML, FILE, { env: {} }).config?.executor).toEqual({ leaseSeconds: 60 });
    expect(validateConfigText(withLease('600'), FILE, { env: {} }).config?.executor).toEqual({ leaseSeconds: 600 });
  });

  it.each([['2', />= 5/], ['0.5', /whole number/], ['"ten"', /number/], ['100000', /<= 86400/]])('refuses %s, naming the key', (value, message) => {
    const { config, problems } = validateConfigText(withLease(value), FILE, { env: {} });
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([expect.stringMatching(/executor\.leaseSeconds/)]);
    expect(problems[0]!.message).toMatch(message);
  });

  it('a misspelt key is named with the right one', () => {
    const { problems } = validateConfigText(`${MINIMAL_YAML.trimEnd()}\nexecutor: { leaseSecond: 60 }\n`, FILE, { env: {} });
    expect(problems.map(formatProblem).join('\n')).toMatch(/leaseSecond.*did you mean 'leaseSeconds'/);
  });
});
