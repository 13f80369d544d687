import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fieldReads } from './field-reads.js';
import { csvHeader } from './identity-fields.js';
import { formatProblem, loadConfig, validateConfigText, type ConfigProblem } from './load.js';

/**
 * Identity field names are checked at validate time: every `identity.x` /
 * `manager.x` an expression reads (and every reconcile rule's `identity`) is
 * compared with the fields a source gives (the csv header row, the source's
 * key, fields: and attributes: mappings, the standard fields). Unknown ones are
 * warnings with the key path, line, column and the closest known name.
 */
describe('identity field names (review8)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-fields-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const csv = (text: string, name = 'employees.csv'): void => writeFileSync(join(dir, name), text);
  const validate = (yaml: string) => validateConfigText(yaml, join(dir, 'roster.yaml'), { env: {} });
  const texts = (warnings: readonly ConfigProblem[]) => warnings.map((w) => formatProblem(w).slice(join(dir, 'roster.yaml').length + 1));

  const config = (source: string, body: string): string => `sources:
${source}
targets:
  - id: app
    type: memory
    accountKey: username
${body}
`;
  const CSV_SOURCE = '  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { manager: supervisor } }';

  it('a typo in a scope, an attribute, a role and under has()/default()/orValue() is a warning at its line and column, with the closest column', () => {
    csv('\uFEFFemployeeId,givenName,"familyName",department,costCenter,supervisor\r\nE1,Ann,Lee,Eng,42,\r\n');
    const text = config(CSV_SOURCE, `    scope: identity.deparment == "Eng"
    attributes:
      username: identity.givenName + "." + identity.familyName
      cost: 'has(identity.costCentre) ? identity.costCenter : ""'
      title: default(identity.titel, "none")
      boss: manager.?givenNmae.orValue("")
      known: identity.status + identity.email + identity.supervisor + manager.costCenter + identity["startDate"]
roles:
  - id: eng
    when: '"departmnet" in identity && identity.department == "Eng"'
    grants: { app: [eng] }`);
    const { config: loaded, problems, warnings } = validate(text);
    expect(problems).toEqual([]);
    expect(loaded).toBeDefined();
    expect(texts(warnings)).toEqual([
      "7:21: targets[0].scope: identity.deparment: no source gives an identity field 'deparment' (did you mean 'department'?)",
      "10:27: targets[0].attributes.cost: identity.costCentre: no source gives an identity field 'costCentre' (did you mean 'costCenter'?)",
      // Two letters swapped in a short name: too far for a suggestion, still unknown.
      "11:31: targets[0].attributes.title: identity.titel: no source gives an identity field 'titel'",
      "12:22: targets[0].attributes.boss: manager.givenNmae: no source gives an identity field 'givenNmae' (did you mean 'givenName'?)",
      "16:13: roles[0].when: identity.departmnet: no source gives an identity field 'departmnet' (did you mean 'department'?)",
    ]);
  });

  it('with every source known, a name close to none is reported too; a comprehension variable named identity is not the identity', () => {
    csv('employeeId,givenName,familyName\n');
    const { warnings } = validate(config(CSV_SOURCE, `    attributes:
      username: identity.employeeId
      badge: identity.xyzzy
      ok: '["a"].exists(identity, identity == "a") ? "y" : "n"'`));
    expect(texts(warnings)).toEqual(["9:23: targets[0].attributes.badge: identity.xyzzy: no source gives an identity field 'xyzzy'"]);
  });

  it('a csv file not present yet is not an error: only likely typos of known names are reported', () => {
    const { problems, warnings } = validate(config(CSV_SOURCE, `    attributes:
      username: identity.employeeId
      office: identity.officeLocation
      dept: identity.deparment`));
    expect(problems).toEqual([]);
    expect(texts(warnings)).toEqual(["10:22: targets[0].attributes.dept: identity.deparment: no source is known to give an identity field 'deparment' (did you mean 'department'?)"]);
  });

  it('json and push sources leave their fields unknown; ldap and scim sources give their attributes: names', () => {
    const push = validate(config('  - { id: hr, type: push, key: employeeId }', `    attributes:
      username: identity.employeeId
      office: identity.officeLocation
      name: identity.givenNam`));
    expect(texts(push.warnings)).toEqual(["10:22: targets[0].attributes.name: identity.givenNam: no source is known to give an identity field 'givenNam' (did you mean 'givenName'?)"]);

    const scim = validate(`${config('  - { id: idp, type: scim, key: userName, attributes: { office: "addresses[type eq \\"work\\"].locality" } }', `    attributes:
      username: identity.userName
      office: identity.office
      where: identity.ofice`)}scim: { server: { enabled: true } }\n`);
    expect(scim.problems).toEqual([]);
    expect(texts(scim.warnings)).toEqual(["10:23: targets[0].attributes.where: identity.ofice: no source gives an identity field 'ofice' (did you mean 'office'?)"]);
  });

  it('an ldap source gives its key and attributes: names, and nothing else is known of it', () => {
    const ldap = validate(config('  - { id: dir, type: ldap, key: employeeNumber, attributes: { building: roomNumber }, connection: { url: "ldap://127.0.0.1", bindDN: "cn=admin,dc=example,dc=com", password: pw, base: "dc=example,dc=com" } }', `    attributes:
      username: identity.employeeNumber + identity.building
      where: identity.buildng
      office: identity.officeLocation`));
    expect(ldap.problems).toEqual([]);
    expect(texts(ldap.warnings)).toEqual([
      "9:23: targets[0].attributes.where: identity.buildng: no source gives an identity field 'buildng' (did you mean 'building'?)",
      "10:24: targets[0].attributes.office: identity.officeLocation: no source gives an identity field 'officeLocation'",
    ]);
  });

  it('a reconcile match rule naming an unknown identity field is a warning on that key', () => {
    csv('employeeId,email\n');
    const { warnings } = validate(config(CSV_SOURCE, `    attributes: { username: identity.employeeId, email: identity.email }
    reconcile:
      match:
        - { account: email, identity: emal }`));
    expect(texts(warnings)).toEqual(["10:39: targets[0].reconcile.match[0].identity: no source gives an identity field 'emal' (did you mean 'email'?): this rule would match nobody"]);
  });

  it('a config with errors still reports its warnings', () => {
    csv('employeeId,department\n');
    const { problems, warnings } = validate(config(CSV_SOURCE, `    attributes:
      username: identity.deparment
    scope: identity.department +`));
    expect(problems.map((p) => p.path)).toEqual(['targets[0].scope']);
    expect(warnings.map((w) => w.path)).toEqual(['targets[0].attributes.username']);
  });

  it('loadConfig hands the warnings of a valid file to onWarnings', async () => {
    csv('employeeId,department\n');
    writeFileSync(join(dir, 'roster.yaml'), config(CSV_SOURCE, '    attributes: { username: identity.deparment }'));
    const seen: ConfigProblem[] = [];
    await loadConfig(join(dir, 'roster.yaml'), { env: {}, onWarnings: (w) => seen.push(...w) });
    expect(seen.map((w) => w.message)).toEqual(["identity.deparment: no source gives an identity field 'deparment' (did you mean 'department'?)"]);
  });

  it('csvHeader reads the first row that is not blank, with the delimiter, quotes and CRLF; not a directory or a missing file', () => {
    csv('\n;;\n"employee;Id";dept\r\nE1;x\r\n', 'semi.csv');
    expect(csvHeader(join(dir, 'semi.csv'), ';')).toEqual(['employee;Id', 'dept']);
    csv(`id,${'x'.repeat(70_000)}\n`, 'long.csv');
    expect(csvHeader(join(dir, 'long.csv'), ',')).toBeUndefined();
    mkdirSync(join(dir, 'folder.csv'));
    expect(csvHeader(join(dir, 'folder.csv'), ',')).toBeUndefined();
    expect(csvHeader(join(dir, 'absent.csv'), ',')).toBeUndefined();
  });

  it('fieldReads finds selections, optional and index reads, has() and `in` guards; not managerAccount or rebound names', () => {
    const reads = (source: string) => fieldReads(source).map((r) => `${r.variable}.${r.name}@${r.offset}`);
    expect(reads('has(identity.a) && identity.b.c == manager["d"] && "e" in manager')).toEqual(['identity.a@13', 'identity.b@28', 'manager.d@44', 'manager.e@52']);
    expect(reads('cel.bind(identity, manager, identity.x) + managerAccount.id + identity.?y.orValue("")')).toEqual(['identity.y@72']);
    expect(reads('identity.')).toEqual([]);
  });
});
