import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { cliIn } from '../../test/support/cli-project.js';
import { openEngine } from './index.js';

/**
 * `roster apply` without --plan reads the sources, ingests them and saves a
 * plan: with a target's secret missing it must stop before the first read,
 * not after the ingest (the store changed, then the apply refused).
 */
const LDAP_VAR = 'ROSTER_R12_LDAP_PASSWORD';
const TARGET = 'r12-secrets-app';

const YAML = `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
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

describe('apply without --plan checks every target before reading a source (review12)', () => {
  let dir = '';
  const file = (): string => join(dir, 'roster.yaml');
  const cli = cliIn(() => dir);
  const snapshot = async () => {
    const engine = await openEngine(file(), { env: {} });
    try {
      return { serial: await engine.store.state.serial(), identities: (await engine.store.identities.list()).length, audit: (await engine.store.audit.list({})).length, plans: (await engine.store.plans.list({ limit: 10 })).length };
    } finally {
      await engine.close();
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-r12-secrets-'));
    writeFileSync(join(dir, 'hr.csv'), 'employeeId,givenName\nE1,Ann\n');
    writeFileSync(file(), YAML);
  });
  beforeEach(() => {
    delete process.env[LDAP_VAR];
  });
  afterAll(() => {
    memoryTargets.delete(TARGET);
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply --yes stops before reading the HR file, naming the variable; the store is as it was', async () => {
    const before = await snapshot();
    const run = await cli('apply', '--yes');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`target corp cannot be opened: environment variable ${LDAP_VAR} is not set`);
    expect(run.stderr).toContain('roster apply --plan');
    expect(await snapshot()).toEqual(before);
    expect(before.identities).toBe(0);
  });

  it('a saved plan that does not change the target applies without its secret', async () => {
    const out = join(dir, 'plan.json');
    const planned = await cli('plan', '--target', TARGET, '--out', out);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const applied = await cli('apply', '--plan', out, '--yes');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('1 applied');
  });
});
