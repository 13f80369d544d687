import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/** One test file's slapd, project dir and engine, seeded with entries made "before Roster came". */
function useDirectory(options: {
  readonly seed: (suffix: string) => string; readonly orphans: string; readonly bind?: { readonly dn: string; readonly password: string }; readonly edit?: (yaml: string) => string;
}) {
  const world = {} as { slapd: RunningSlapd; engine: Engine; dir: string; reader: Client };
  const clock = { now: new Date('2026-11-27T09:00:00Z') };
  beforeAll(async () => {
    world.slapd = await startSlapd({
      randomPort: true,
      ...(options.bind === undefined ? {} : { serviceAccount: true, acl: [`to * by dn.exact="${options.bind.dn}" manage by * break`] }),
    });
    world.reader = await adminClient(world.slapd);
    world.dir = mkdtempSync(join(tmpdir(), 'roster-r19-intro-'));
    ldapadd(world, options.seed(world.slapd.suffix));
    const s = world.slapd.suffix;
    const yaml = ldapProjectYaml(world.slapd, {
      usersDn: `uid={uid},ou=people,${s}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: UNIQUE_GIVEN_DOT_FAMILY, cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety: '{ maxDeletes: 50%, maxDisables: 50%, minAccounts: 0 }',
      orphans: options.orphans,
    });
    const bound = options.bind === undefined ? yaml : yaml.replace(`bindDN: "${world.slapd.bindDN}"`, `bindDN: "${options.bind.dn}"`);
    writeFileSync(join(world.dir, 'roster.yaml'), options.edit?.(bound) ?? bound);
    process.env.ROSTER_E2E_LDAP_PASSWORD = options.bind?.password ?? world.slapd.password;
    world.engine = await openEngine(join(world.dir, 'roster.yaml'), { now: () => clock.now });
  });
  afterAll(() => tearDown({ engine: world.engine, client: world.reader, server: world.slapd, dirs: [world.dir] }));
  return world;
}

function ldapadd(world: { slapd: RunningSlapd; dir: string }, ldif: string): void {
  const file = join(world.dir, 'seed.ldif');
  writeFileSync(file, ldif);
  const result = spawnSync('ldapadd', ['-H', world.slapd.url, '-x', '-D', world.slapd.bindDN, '-w', world.slapd.password, '-f', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ldapadd failed: ${result.stderr}`);
}

const entry = (suffix: string, uid: string, extra: string): string =>
  `dn: uid=${uid},ou=people,${suffix}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\n${extra}\n`;

async function entries(world: { slapd: RunningSlapd; reader: Client }): Promise<{ dn: string; uid: string; uuid: string }[]> {
  const { searchEntries } = await world.reader.search(world.slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'entryUUID'] });
  return searchEntries.map((e) => ({ dn: e.dn, uid: String(e.uid), uuid: String(e.entryUUID) })).sort((a, b) => a.uid.localeCompare(b.uid));
}

/**
 * A person whose HR row arrives after the reconcile pass (a late row, a
 * rehire) already has an entry with their employee id, which that pass
 * found an orphan. The plans before the next pass used to create them a
 * second entry (`john.smith` beside `jsmith`, both employeeNumber E9): the
 * orphan holds another uid, so nothing stopped it.
 */
describe('introduction: a late HR row for someone whose entry the last pass found orphaned', () => {
  const hr = [person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' })];
  const world = useDirectory({
    orphans: 'report',
    seed: (s) => [entry(s, 'alovelace', 'employeeNumber: E1\n'), entry(s, 'jsmith', 'employeeNumber: E9\nmail: j.smith@example.com\n')].join('\n'),
  });

  it('gets no second entry before the next pass, and that pass links the one they have', async () => {
    writeFileSync(join(world.dir, 'employees.csv'), csv(hr));
    await world.engine.readSource('hr', 'test');
    const first = await world.engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    const [, jsmith] = await entries(world);
    expect(first.orphans).toEqual([{ accountId: jsmith!.uuid, key: 'jsmith' }]);

    writeFileSync(join(world.dir, 'employees.csv'), csv([...hr, person({ employeeId: 'E9', givenName: 'John', familyName: 'Smith' })]));
    await world.engine.readSource('hr', 'test');
    const plan = await world.engine.plan();
    expect(plan.changes.filter((c) => c.identity === 'E9')).toEqual([]);
    expect(plan.diagnostics.filter((d) => d.identity === 'E9')).toEqual([{
      severity: 'warning', code: 'reconcile.disputed', identity: 'E9', target: 'corp-ldap',
      message: 'E9 matches an account in corp-ldap that the last reconcile found linked to nobody (by employeeNumber = identity.employeeId: E9); '
        + 'no account is created until a pass links it: roster reconcile --target corp-ldap',
    }]);
    await world.engine.sync({ actor: 'test' });
    expect((await entries(world)).map((e) => e.uid)).toEqual(['alovelace', 'jsmith']);

    const second = await world.engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    expect(second.matched).toEqual([{ accountId: jsmith!.uuid, identity: 'E9', rule: 'employeeNumber = identity.employeeId' }]);
    expect(second.orphans).toEqual([]);
    const synced = await world.engine.sync({ actor: 'test' });
    expect(synced.result?.errors ?? []).toEqual([]);
    expect(synced.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(await entries(world)).toEqual([expect.objectContaining({ uid: 'alovelace' }), { ...jsmith, uid: 'jsmith' }]);
    const { searchEntries } = await world.reader.search(jsmith!.dn, { scope: 'base', attributes: ['mail', 'cn'] });
    expect(searchEntries[0]).toMatchObject({ mail: 'john.smith@example.com', cn: 'John Smith' });
  });
});

/**
 * Roster bound as a service account kept with the people
 * (`uid=svc-roster,ou=people`): it is read like any entry, matches nobody in
 * HR, and `orphans: disable` moved it to ou=disabled, one orphan among six,
 * under maxDisables; every later run failed to bind.
 */
describe('orphans: disable never reaches the account Roster binds as', () => {
  const hr = ['E1', 'E2', 'E3', 'E4'].map((id, i) => person({ employeeId: id, givenName: 'Pat', familyName: `N${i}` }));
  const bind = { dn: 'uid=svc-roster,ou=people,dc=example,dc=com', password: 'svc-secret' };
  const world = useDirectory({
    orphans: 'disable',
    bind,
    seed: (s) => [
      ...hr.map((p) => entry(s, `pat.${p.familyName.toLowerCase()}`, `employeeNumber: ${p.employeeId}\n`)),
      entry(s, 'svc-roster', `userPassword: ${bind.password}\n`),
      entry(s, 'old.contractor', 'employeeNumber: X99\n'),
    ].join('\n'),
  });

  it('reports it, plans nothing for it, and disables the other orphan', async () => {
    expect(world.slapd.suffix).toBe('dc=example,dc=com');
    writeFileSync(join(world.dir, 'employees.csv'), csv(hr));
    await world.engine.readSource('hr', 'test');
    const report = await world.engine.reconcile('corp-ldap', { actor: 'test', apply: true });
    expect(report.matched).toHaveLength(4);
    expect(report.orphans.map((o) => o.key).sort()).toEqual(['old.contractor', 'svc-roster']);
    expect(report.plan.changes.map((c) => [c.action, c.before?.attributes?.['uid']])).toEqual([['disable', 'old.contractor']]);
    expect(report.plan.diagnostics).toEqual([expect.objectContaining({ code: 'reconcile.bind_account', target: 'corp-ldap' })]);
    expect(report.plan.diagnostics[0]?.message).toContain('the orphan svc-roster');
    const byUid = new Map((await entries(world)).map((e) => [e.uid, e.dn]));
    expect(byUid.get('svc-roster')).toBe(bind.dn);
    expect(byUid.get('old.contractor')).toBe('uid=old.contractor,ou=disabled,dc=example,dc=com');
    // A later run (a new connection) can still bind.
    const client = new Client({ url: world.slapd.url });
    await client.bind(bind.dn, bind.password);
    await client.unbind();
  });
});

/**
 * The directory's employee numbers carry leading zeros (`00123`); the HR
 * export lost them (`123`). Before `normalise: numeric` no rule could match
 * them: every such entry was an orphan, and the sync gave its person a second
 * entry.
 */
describe('introduction: employee numbers with leading zeros in the directory', () => {
  const hr = [person({ employeeId: '123', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com' }), person({ employeeId: '7', givenName: 'Alan', familyName: 'Turing' })];
  const world = useDirectory({
    orphans: 'report',
    edit: (yaml) => {
      const numeric = yaml.replace('{ account: employeeNumber, identity: employeeId, normalise: exact }', '{ account: employeeNumber, identity: employeeId, normalise: numeric }');
      expect(numeric).not.toBe(yaml);
      return numeric;
    },
    seed: (s) => [entry(s, 'alovelace', 'employeeNumber: 00123\nmail: ada.l@example.com\n'), entry(s, 'aturing', 'employeeNumber: 0007\n')].join('\n'),
  });

  it('links them by the number, and the sync creates nobody', async () => {
    writeFileSync(join(world.dir, 'employees.csv'), csv(hr));
    await world.engine.readSource('hr', 'test');
    const report = await world.engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    expect(report.matched.map((m) => m.identity).sort()).toEqual(['123', '7']);
    expect(report.orphans).toEqual([]);
    const synced = await world.engine.sync({ actor: 'test' });
    expect(synced.result?.errors ?? []).toEqual([]);
    expect(synced.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect((await entries(world)).map((e) => e.uid)).toEqual(['alovelace', 'aturing']);
    // The number Roster writes is HR's: the link now holds it, and the next reconcile still links the entry.
    const again = await world.engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    expect([again.linked, again.orphans.length, again.disputed.length]).toEqual([2, 0, 0]);
  });
});
