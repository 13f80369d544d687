import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';

const FILE = '/etc/roster/roster.yaml';

/** A scim target with the given attribute lines (each at 6 spaces) and optional mapping lines (at 6 spaces, under connection). */
function scimTarget(attributes: readonly string[], mapping?: readonly string[]): string {
  return `sources:
  - id: hr
    type: csv
    path: hr.csv
    key: employeeId
targets:
  - id: saas
    type: scim
    connection:
      baseUrl: https://app.example.com/scim/v2
      auth: { type: bearer, token: secret-token }
${mapping === undefined ? '' : `      mapping:\n${mapping.map((line) => `        ${line}`).join('\n')}\n`}    accountKey: userName
    attributes:
${attributes.map((line) => `      ${line}`).join('\n')}
`;
}

const problemsOf = (text: string) => validateConfigText(text, FILE, { env: {} }).problems.map(formatProblem);

describe('crossCheck: scim target attributes need a SCIM mapping', () => {
  it('accepts attributes the default mapping covers', () => {
    expect(problemsOf(scimTarget(['userName: identity.employeeId', 'email: identity.email', 'department: identity.department']))).toEqual([]);
  });

  it('refuses an attribute the default mapping lacks, at its key, naming what is mapped', () => {
    const problems = problemsOf(scimTarget(['userName: identity.employeeId', 'costCentre: identity.costCentre']));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\/etc\/roster\/roster\.yaml:15:7: targets\[0\]\.attributes\.costCentre: 'costCentre' has no SCIM path in connection\.mapping/);
    expect(problems[0]).toContain('mapped: userName, externalId, givenName');
  });

  it('checks against a written mapping, which replaces the default as a whole', () => {
    const problems = problemsOf(scimTarget(['userName: identity.employeeId', 'email: identity.email'], ['userName: userName']));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/:17:7: targets\[0\]\.attributes\.email: 'email' has no SCIM path in connection\.mapping \(mapped: userName\)/);
    expect(problemsOf(scimTarget(['userName: identity.employeeId', 'email: identity.email'], ['userName: userName', 'email: emails.value']))).toEqual([]);
  });

  it('leaves other target types alone', () => {
    const text = scimTarget(['userName: identity.employeeId', 'costCentre: identity.costCentre'])
      .replace('type: scim', 'type: memory')
      .replace(/    connection:\n(?: {6}.*\n)+/, '');
    expect(problemsOf(text)).toEqual([]);
  });
});
