import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINIMAL_YAML } from './test-fixtures.js';
import { formatProblem, validateConfigText } from './load.js';

const FILE = '/etc/roster/roster.yaml';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const TARGETS = `targets:
  - id: mem
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId }
`;

/** Line 1 is `sources:`; the scim source starts on line 2. */
const SCIM_SOURCE = `sources:
  - id: idp
    type: scim
    key: employeeId
    attributes:
      employeeId: ${ENTERPRISE}:employeeNumber
      email: emails[type eq "work"].value | emails.value
`;

const SERVER = `scim:
  server:
    enabled: true
    maxResults: 500
    bulk: { maxOperations: 100 }
    rateLimit: { perSecond: 50, burst: 100 }
    extensions:
      - id: urn:example:params:scim:schemas:extension:acme:2.0:User
        attributes:
          - { name: badge, type: string }
          - { name: site, type: complex, subAttributes: [{ name: code, type: string }] }
`;

function problems(text: string): { path: string; line: number; message: string }[] {
  const result = validateConfigText(text, FILE, { env: {} });
  expect(result.config).toBeUndefined();
  for (const problem of result.problems) expect(formatProblem(problem)).toMatch(/^\/etc\/roster\/roster\.yaml:\d+:\d+: /);
  return result.problems.map(({ path, line, message }) => ({ path, line, message }));
}

describe('scim configuration', () => {
  it('loads the server section with defaults filled and the only scim source as the server source', () => {
    const { config, problems: found } = validateConfigText(SCIM_SOURCE + TARGETS + SERVER, FILE, { env: {} });
    expect(found).toEqual([]);
    expect(config!.scim).toEqual({
      server: {
        enabled: true, source: 'idp', maxResults: 500,
        bulk: { maxOperations: 100, maxPayloadSize: 1_048_576 },
        rateLimit: { perSecond: 50, burst: 100 },
        extensions: [{
          id: 'urn:example:params:scim:schemas:extension:acme:2.0:User',
          attributes: [{ name: 'badge', type: 'string' }, { name: 'site', type: 'complex', subAttributes: [{ name: 'code', type: 'string' }] }],
        }],
      },
    });
    expect(config!.sources[0]).toMatchObject({ type: 'scim', complete: true, attributes: { email: 'emails[type eq "work"].value | emails.value' } });
  });

  it('is off without a scim section', () => {
    const { config } = validateConfigText(MINIMAL_YAML, FILE, { env: {} });
    expect(config!.scim).toEqual({
      server: { enabled: false, source: undefined, maxResults: 1000, bulk: { maxOperations: 1000, maxPayloadSize: 1_048_576 }, rateLimit: { perSecond: 200, burst: 400 }, extensions: [] },
    });
  });

  it('needs the server for a scim source, and at most one scim source', () => {
    const two = SCIM_SOURCE + SCIM_SOURCE.replace('sources:\n', '').replace('id: idp', 'id: idp2');
    expect(problems(two + TARGETS)).toEqual([
      { path: 'sources[0].type', line: 3, message: 'a scim source is fed by the SCIM server, which is off: set scim.server.enabled: true' },
      { path: 'sources[1].type', line: 9, message: "only one scim source is allowed ('idp' is one): /scim/v2/Users feeds a single source" },
      { path: 'sources[1].type', line: 9, message: 'a scim source is fed by the SCIM server, which is off: set scim.server.enabled: true' },
    ]);
  });

  it('wants scim.server.source to name a scim source', () => {
    const csv = `${MINIMAL_YAML}scim:\n  server: { enabled: true, source: hr }\n`;
    expect(problems(csv)).toEqual([
      { path: 'scim.server.source', line: 13, message: 'source \'hr\' is of type csv; scim.server.source must name a source of type scim' },
    ]);
    const unknown = `${SCIM_SOURCE}${TARGETS}scim:\n  server: { enabled: true, source: okta }\n`;
    expect(problems(unknown)).toEqual([
      { path: 'scim.server.source', line: 14, message: "unknown source 'okta' (the scim source is 'idp')" },
    ]);
  });

  it('wants the key mapped, User attributes in attributes, and no file or directory keys', () => {
    const text = `sources:
  - id: idp
    type: scim
    key: badgeId
    path: ./users.csv
    fullEvery: 3
    attributes:
      ou: "1.2.3.4"
${TARGETS}scim: { server: { enabled: true } }
`;
    expect(problems(text)).toEqual([
      { path: 'sources[0].key', line: 4, message: expect.stringMatching(/^'badgeId' is not mapped: add it to attributes .* or use a mapped field \(userName, externalId, /) },
      { path: 'sources[0].path', line: 5, message: "a scim source reads the SCIM server's Users, not a file" },
      { path: 'sources[0].fullEvery', line: 6, message: "only an ldap or ad source takes 'fullEvery'" },
      { path: 'sources[0].attributes.ou', line: 8, message: expect.stringMatching(/^invalid SCIM attribute path '1\.2\.3\.4'/) },
    ]);
    const misspelt = problems(`${SCIM_SOURCE.replace('emails.value', 'emails.valeu')}${TARGETS}scim: { server: { enabled: true } }\n`);
    expect(misspelt).toEqual([{
      path: 'sources[0].attributes.email', line: 7,
      message: "invalid SCIM attribute path 'emails.valeu': attribute 'emails' has no sub-attribute 'valeu'",
    }]);
  });

  it('holds each source type to its own kind of attribute', () => {
    const ldap = `sources:
  - id: corp
    type: ldap
    key: employeeNumber
    connection: { url: "ldap://127.0.0.1:389", bindDN: cn=admin, password: x, base: dc=example }
    attributes: { givenName: name.givenName }
  - id: hr
    type: csv
    path: hr.csv
    key: id
    attributes: { givenName: givenName }
    disabledStatus: gone
${TARGETS}`;
    expect(problems(ldap)).toEqual([
      { path: 'sources[0].attributes.givenName', line: 6, message: 'must be an LDAP attribute name (letters, digits, hyphens)' },
      { path: 'sources[1].attributes', line: 11, message: "only an ldap, ad or scim source takes 'attributes'" },
      { path: 'sources[1].disabledStatus', line: 12, message: "only an ldap, ad or scim source takes 'disabledStatus'" },
    ]);
    const garbage = problems(SCIM_SOURCE.replace('emails[type eq "work"].value | emails.value', '"emails[)"') + TARGETS);
    expect(garbage).toContainEqual({ path: 'sources[0].attributes.email', line: 7, message: expect.stringMatching(/^must be an LDAP attribute name \(ldap, ad\) or a SCIM attribute path/) });
  });

  it('locates a misspelt server key and a bad extension', () => {
    const text = `${SCIM_SOURCE}${TARGETS}scim:
  server:
    enabled: true
    maxResult: 10
    extensions:
      - { id: acme, attributes: [{ name: badge, type: text }] }
`;
    expect(problems(text)).toEqual([
      { path: 'scim.server.maxResult', line: 16, message: "unknown key 'maxResult' (did you mean 'maxResults'?)" },
      { path: 'scim.server.extensions[0].id', line: 18, message: expect.stringMatching(/^expected a schema URN/) },
      { path: 'scim.server.extensions[0].attributes[0].type', line: 18, message: expect.stringMatching(/^expected one of string, boolean/) },
    ]);
  });
});

describe('scim extensions checked by the registry', () => {
  it('reports a clashing extension at the key the registry names', () => {
    const text = `${SCIM_SOURCE}${TARGETS}scim:
  server:
    enabled: true
    extensions:
      - id: ${ENTERPRISE}
        attributes: [{ name: badge, type: string }]
`;
    expect(problems(text)).toEqual([
      { path: 'scim.server.extensions[0]', line: 17, message: `schema id '${ENTERPRISE}' is already in use` },
    ]);
  });
});

describe('examples/scim/roster.yaml', () => {
  it('loads: the server on, the idp source fed by it', () => {
    const file = new URL('../../examples/scim/roster.yaml', import.meta.url);
    const { config, problems: found } = validateConfigText(readFileSync(file, 'utf8'), file.pathname, { env: {} });
    expect(found).toEqual([]);
    expect(config!.scim?.server).toMatchObject({ enabled: true, source: 'idp' });
    expect(config!.sources.map((s) => [s.id, s.type, s.key])).toEqual([['idp', 'scim', 'employeeId']]);
  });
});
