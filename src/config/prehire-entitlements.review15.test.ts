import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';
import { EXAMPLE_YAML } from './test-fixtures.js';

/** Review 15: lifecycle.prehireEntitlements is validated at load like the other lifecycle keys. */
const withLifecycle = (line: string) => EXAMPLE_YAML.split('\n').map((l) => (l.startsWith('lifecycle:') ? line : l)).join('\n');
const load = (line: string) => validateConfigText(withLifecycle(line), '/etc/roster/roster.yaml', { env: {} });

describe('lifecycle.prehireEntitlements (review 15)', () => {
  it('defaults to true and takes false (also as text from ${env:...})', () => {
    expect(load('lifecycle: { prehireLeadDays: 7, timezone: UTC }').config?.lifecycle.prehireEntitlements).toBe(true);
    expect(load('lifecycle: { prehireEntitlements: false }').config?.lifecycle.prehireEntitlements).toBe(false);
    expect(load('lifecycle: { prehireEntitlements: "false" }').config?.lifecycle.prehireEntitlements).toBe(false);
  });

  it('refuses a value that is not a boolean, at its key', () => {
    const { config, problems } = load('lifecycle: { prehireEntitlements: later }');
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3, path: 'lifecycle.prehireEntitlements' });
    expect(problems[0]?.message).toBe('expected true or false, got a string');
  });
});
