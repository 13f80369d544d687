import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, validateConfigText } from '../config/load.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { cliIn } from '../../test/support/cli-project.js';
import { openEngine } from './index.js';
import { unavailableConnector } from './missing-secrets.js';

/**
 * A command needs only the secrets of the connections it opens: with the
 * directory source's and the LDAP target's passwords unset, explain, status,
 * audit, queue and reconcile of another target work; what needs a missing
 * secret stops before it changes anything, naming the variable and the
 * source or target; `roster validate` still reports every one.
 */
const DIR_VAR = 'ROSTER_R11_DIR_PASSWORD';
const LDAP_VAR = 'ROSTER_R11_LDAP_PASSWORD';
const LDAP_VALUE = 'ldap-secret-value-r11';
const TARGET = 'r11-secrets-app';

const YAML = `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
  - id: dir
    type: ldap
    key: employeeID
    connection:
      url: ldap://127.0.0.1:1
      bindDN: cn=reader,dc=example,dc=com
      password: \${env:${DIR_VAR}}
      base: dc=example,dc=com
targets:
  - id: ${TARGET}
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId }
  - id: corp
    type: ldap
    accountKey: uid
    connection:
      url: ldap://127.0.0.1:1
      bindDN: cn=admin,dc=example,dc=com
      password: \${env:${LDAP_VAR}}
      users: { base: "ou=people,dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid, objectClasses: [inetOrgPerson] }
    attributes: { uid: identity.employeeId }
`;

describe('missing connection secrets fail only the commands that open the connection (review11)', () => {
  let dir = '';
  const file = (): string => join(dir, 'roster.yaml');
  const cli = cliIn(() => dir);

  beforeAll(async () => {
    delete process.env[DIR_VAR];
    delete process.env[LDAP_VAR];
    dir = mkdtempSync(join(tmpdir(), 'roster-r11-secrets-'));
    writeFileSync(join(dir, 'hr.csv'), 'employeeId,givenName\nE1,Ann\n');
    writeFileSync(file(), YAML);
    // The store gets its identity from an engine that has every secret.
    const engine = await openEngine(file(), { env: { [DIR_VAR]: 'd', [LDAP_VAR]: LDAP_VALUE } });
    try {
      await engine.readSource('hr', 'test');
    } finally {
      await engine.close();
    }
  });
  beforeEach(() => {
    delete process.env[DIR_VAR];
    delete process.env[LDAP_VAR];
  });
  afterAll(() => {
    memoryTargets.delete(TARGET);
    rmSync(dir, { recursive: true, force: true });
  });

  it('validate still reports every missing secret, naming who needs it', async () => {
    const run = await cli('validate');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`sources[1].connection.password: environment variable ${DIR_VAR} is not set (needed by source dir)`);
    expect(run.stdout).toContain(`targets[1].connection.password: environment variable ${LDAP_VAR} is not set (needed by target corp)`);
    expect(run.stdout).toContain('2 problems');
  });

  it('the engine loads the file, listing what is missing by name and line, never a value', async () => {
    const config = await loadConfig(file(), { env: { [LDAP_VAR]: LDAP_VALUE }, deferConnectionSecrets: true });
    expect(config.missingSecrets).toEqual([{
      owner: { kind: 'source', id: 'dir' }, reference: `\${env:${DIR_VAR}}`, message: `environment variable ${DIR_VAR} is not set`,
      path: 'sources[1].connection.password', at: `${file()}:10:17`,
    }]);
    expect(JSON.stringify(config.missingSecrets)).not.toContain(LDAP_VALUE);
    // Without the option (validate, and any other caller) it is a problem, as before.
    await expect(loadConfig(file(), { env: {} })).rejects.toMatchObject({ code: 'config.invalid' });
  });

  it('a file with another problem is reported as validate reports it, missing secrets included', () => {
    const broken = YAML.replace('key: uid, objectClasses', 'objectClasses');
    const result = validateConfigText(broken, file(), { env: {}, deferConnectionSecrets: true });
    expect(result.config).toBeUndefined();
    expect(result.problems.map((p) => p.path)).toEqual(['sources[1].connection.password', 'targets[1].connection.password', 'targets[1].connection.users.key']);
  });

  it('explain reads only the store', async () => {
    const run = await cli('explain', 'E1');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Target corp');
  });

  it('status, audit verify and queue run; status --check reports the target whose secret is missing', async () => {
    expect((await cli('status')).code).toBe(0);
    expect((await cli('audit', 'verify')).code).toBe(0);
    expect((await cli('queue', 'cancel', '--target', TARGET, '--reason', 'r11')).code).toBe(0);
    const checked = await cli('status', '--check', '--json');
    expect(checked.code).toBe(1);
    const corp = (JSON.parse(checked.stdout) as { targets: { id: string; check?: { ok: boolean; message?: string } }[] }).targets.find((t) => t.id === 'corp');
    expect(corp?.check?.ok).toBe(false);
    expect(corp?.check?.message).toBe(`target corp cannot be opened: environment variable ${LDAP_VAR} is not set (${file()}:23:17, targets[1].connection.password)`);
  });

  it('reconcile --target of a target with its secrets runs; the one without says which variable it lacks', async () => {
    expect((await cli('reconcile', '--target', TARGET)).code).toBe(0);
    const corp = await cli('reconcile', '--target', 'corp');
    expect(corp.code).toBe(1);
    expect(corp.stderr).toContain(`target corp cannot be opened: environment variable ${LDAP_VAR} is not set`);
    const all = await cli('reconcile');
    expect(all.code).toBe(1);
    expect(all.stderr).toContain('--target X reconciles one');
  });

  it('plan reading the sources stops before reading any, naming the source; --no-read-sources plans', async () => {
    const engine = await openEngine(file(), { env: {} });
    const serial = await engine.store.state.serial();
    await engine.close();
    const read = await cli('plan');
    expect(read.code).toBe(1);
    expect(read.stderr).toContain(`source dir cannot be opened: environment variable ${DIR_VAR} is not set (${file()}:10:17, sources[1].connection.password)`);
    const after = await openEngine(file(), { env: {} });
    expect(await after.store.state.serial()).toBe(serial);
    await after.close();
    const plan = await cli('plan', '--no-read-sources');
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/create\s+corp\s+E1/);
  });

  it('apply of a plan that changes the target stops before queueing anything; sync and serve need everything', async () => {
    const engine = await openEngine(file(), { env: {} });
    try {
      const plan = await engine.plan({ actor: 'test' });
      expect(plan.changes.some((c) => c.target === 'corp')).toBe(true);
      const audit = (await engine.store.audit.list({})).length;
      await expect(engine.apply(plan, { actor: 'test' })).rejects.toThrow(`cannot apply plan ${plan.id}: target corp cannot be opened: environment variable ${LDAP_VAR} is not set`);
      expect(await engine.store.queue.stats({})).toMatchObject({ pending: 0, running: 0, done: 0, failed: 0 });
      expect((await engine.store.audit.list({})).length).toBe(audit);
      await expect(engine.sync({ actor: 'test' })).rejects.toThrow(/^cannot sync: source dir cannot be opened: .*; target corp cannot be opened: /);
      await expect(engine.start()).rejects.toThrow(/^cannot serve: source dir cannot be opened/);
    } finally {
      await engine.close();
    }
  });

  it('apply of a plan that leaves the target alone is refused while earlier plans have changes queued for it, saying so', async () => {
    const engine = await openEngine(file(), { env: {} });
    try {
      const plan = await engine.plan({ actor: 'test', target: TARGET });
      expect(plan.changes.length).toBeGreaterThan(0);
      expect(plan.changes.every((c) => c.target === TARGET)).toBe(true);
      const change = { id: 'corp:E9:create', identity: 'E9', target: 'corp', action: 'create' as const, before: null, after: { accountId: 'e9', enabled: true, attributes: {} }, reasons: ['joiner'] };
      await engine.store.queue.enqueue([{ id: 'earlier:corp:E9:create', planId: 'earlier', change, target: 'corp', orderingKey: 'corp:E9', seq: 1 }]);
      await expect(engine.apply(plan, { actor: 'test' })).rejects.toThrow(
        `cannot apply plan ${plan.id}; the run would also carry out the changes earlier plans queued for corp (1): target corp cannot be opened`);
    } finally {
      await engine.close();
    }
  });

  it('with the secret set, the same file opens the real connector', async () => {
    const engine = await openEngine(file(), { env: { [DIR_VAR]: 'd', [LDAP_VAR]: LDAP_VALUE } });
    try {
      expect(engine.config.missingSecrets).toBeUndefined();
      const [corp] = (await engine.checkTargets()).filter((c) => c.target === 'corp');
      expect(corp).toMatchObject({ ok: false, code: 'target.unavailable' }); // nothing listens on port 1
      expect(corp?.message).toContain('ECONNREFUSED');
    } finally {
      await engine.close();
    }
  });

  it('the stand-in connector fails every operation with the error; only an AD target reads nested groups', async () => {
    const missing = [{
      owner: { kind: 'target' as const, id: 'ad' }, reference: '${env:AD_PW}', message: 'environment variable AD_PW is not set', path: 'targets[0].connection.password', at: 'roster.yaml:9:17',
    }];
    const ad = unavailableConnector({ id: 'ad', type: 'ad' }, missing);
    await expect(ad.effectiveEntitlements?.('x')).rejects.toThrow('target ad cannot be opened: environment variable AD_PW is not set (roster.yaml:9:17, targets[0].connection.password)');
    await expect(ad.create({ attributes: {}, enabled: true })).rejects.toMatchObject({ code: 'config.invalid', retryable: false });
    await expect((async () => { for await (const _ of ad.list()) { /* none */ } })()).rejects.toThrow(/AD_PW/);
    expect(unavailableConnector({ id: 'ldap', type: 'ldap' }, missing).effectiveEntitlements).toBeUndefined();
  });
});
