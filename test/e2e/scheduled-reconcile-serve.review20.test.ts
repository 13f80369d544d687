import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * `reconcile.schedule` as `roster serve` runs it: engine.start() starts the
 * cron job (here every second, on the real clock), an OpenLDAP target that
 * cannot be reached at the scheduled time, then back, then close() while a
 * pass is under way.
 */
describe('roster serve runs reconcile.schedule: directory down, back, and a stop during a pass (review20)', () => {
  let slapd: RunningSlapd;
  let engine: Engine | undefined;
  let dir: string;
  let admin: Client;
  const said: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void said.push({ level, message, ...(fields ? { fields } : {}) });
  const log: Logger = { debug() {}, info: at('info'), warn: at('warn'), error: at('error') } as Logger;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const dnOf = (uid: string) => `uid=${uid},ou=people,${slapd.suffix}`;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-serve-'));
    writeFileSync(join(dir, 'employees.csv'), csv([person({ employeeId: 'e1', givenName: 'Ada', familyName: 'Lovelace' })]));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }',
      orphans: 'disable',
    });
    writeFileSync(join(dir, 'roster.yaml'), yaml.replace('      orphans: disable\n', '      orphans: disable\n      schedule: "* * * * * *"\n'));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { log });
    await engine.readSource('hr', 'test');
  });
  afterAll(async () => {
    await tearDown({ engine, client: admin, server: slapd, dirs: [dir] });
  });

  it('down: each run fails, logged with the target and the code and no secret, nothing planned', async () => {
    await slapd.kill();
    await engine!.start();
    await sleep(2300);
    const failures = said.filter((s) => s.level === 'error');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const failure of failures) {
      expect(failure).toMatchObject({ message: 'scheduled reconcile failed', fields: { target: 'corp-ldap', code: 'target.unavailable', error: expect.stringContaining('cannot reach the directory') } });
      expect(JSON.stringify(failure)).not.toContain(slapd.password);
    }
    expect(said.filter((s) => s.level !== 'error')).toEqual([]);
    expect(await engine!.store.audit.list({ kind: 'plan.created' })).toEqual([]);
  });

  it('back: the next run makes the pass, creates the joiner, and later ones put drift back', async () => {
    await slapd.restart();
    await admin.bind(slapd.bindDN, slapd.password);
    await sleep(2300);
    expect(said.filter((s) => s.level === 'info' && s.message === 'scheduled reconcile').length).toBeGreaterThanOrEqual(1);
    const { searchEntries } = await admin.search(dnOf('e1'), { scope: 'base', attributes: ['cn'] });
    expect(searchEntries[0]?.cn).toBe('Ada Lovelace');
    await admin.modify(dnOf('e1'), [new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['Hacked'] }) })]);
    await sleep(2300);
    const { searchEntries: after } = await admin.search(dnOf('e1'), { scope: 'base', attributes: ['cn'] });
    expect(after[0]?.cn).toBe('Ada Lovelace');
  });

  it('a run due while the pass before it hangs is skipped with a warning; close() waits for the pass under way', async () => {
    // The directory stops answering: the next run's read waits on it.
    slapd.pause();
    const passes = () => said.filter((s) => s.message === 'scheduled reconcile').length;
    const before = passes();
    // A pass starts within the second and hangs; the next second's run finds it still going.
    await sleep(2300);
    expect(said.filter((s) => s.level === 'warn')).toContainEqual({ level: 'warn', message: 'scheduled reconcile skipped: the previous pass is still running', fields: { target: 'corp-ldap' } });
    const closing = engine!.close().then(() => 'closed');
    const first = await Promise.race([closing, sleep(300).then(() => 'waiting')]);
    slapd.resume();
    await closing;
    engine = undefined;
    expect(first).toBe('waiting');
    // The pass under way ended (it read the directory once it answered) before the store closed.
    expect(passes()).toBe(before + 1);
    expect(said.filter((s) => s.level === 'error' && s.message !== 'scheduled reconcile failed')).toEqual([]);
    expect(said.slice(-1)[0]?.level).not.toBe('error');
  });
});
