import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, expect } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, type Person } from './helpers.js';

/**
 * What the ldap rehire e2e files share (ldap-*rehire*.test.ts): an engine on
 * a private slapd with examples/ldap, a mapped initial password
 * (`Init-<employee id>-Zq7x`) that an enable writes again, `disable.password:
 * keep` (the password stays on a disabled entry, so only the enable decides
 * what comes back), and anonymous binds allowed to check a password.
 */

/** The mapped initial password of employee `id`. */
export const initialOf = (id: string) => `Init-${id}-Zq7x`;

export type SyncOutcome = Awaited<ReturnType<Engine['sync']>>;

export interface LdapRehireWorld {
  readonly slapd: RunningSlapd;
  /** Bound as the server's administrator. */
  readonly reader: Client;
  readonly engine: Engine;
  /** Set the clock to `when`, write the HR file and sync; the plan may not be held, nor any change fail. */
  sync(when: string, rows: readonly Person[]): Promise<SyncOutcome>;
  /** The one entry with this uid, and its userPassword values. */
  entry(uid: string): Promise<{ dn: string; password: string[] }>;
  /** As the person would: a password of their own. */
  setOwnPassword(dn: string, password: string): Promise<void>;
}

/**
 * The world of an ldap rehire file, set up in beforeAll (the HR file `people`
 * read and corp-ldap reconciled once, as a target with reconcile.match rules
 * is before Roster creates anything in it) and torn down in afterAll of the
 * describe that calls it. `yaml` edits examples/ldap's file first.
 */
export function ldapRehireWorld(options: {
  readonly dirPrefix: string;
  readonly start: Date;
  readonly people: readonly Person[];
  readonly yaml?: (yaml: string) => string;
}): LdapRehireWorld {
  const clock = { now: options.start };
  const started: { slapd?: RunningSlapd; reader?: Client; engine?: Engine; dir?: string } = {};
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ldap rehire world has no ${what}: beforeAll did not run or failed`);
    return value;
  };
  const world: LdapRehireWorld = {
    get slapd() { return ready(started.slapd, 'slapd'); },
    get reader() { return ready(started.reader, 'reader'); },
    get engine() { return ready(started.engine, 'engine'); },
    async sync(when, rows) {
      clock.now = new Date(when);
      writeFileSync(join(ready(started.dir, 'dir'), 'employees.csv'), csv(rows));
      const result = await world.engine.sync({ actor: 'test' });
      expect(result.plan.held).toBe(false);
      expect(result.result?.errors ?? []).toEqual([]);
      return result;
    },
    async entry(uid) {
      const { searchEntries } = await world.reader.search(world.slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['userPassword'] });
      expect(searchEntries).toHaveLength(1);
      const value = searchEntries[0]?.userPassword;
      return { dn: searchEntries[0]?.dn ?? '', password: (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String) };
    },
    async setOwnPassword(dn, password) {
      await world.reader.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [password] }) }));
    },
  };

  beforeAll(async () => {
    const slapd = (started.slapd = await startSlapd({ randomPort: true, acl: ['to attrs=userPassword by anonymous auth by * none'] }));
    started.reader = await adminClient(slapd);
    const dir = (started.dir = mkdtempSync(join(tmpdir(), options.dirPrefix)));
    const yaml = ldapExampleYaml(slapd.url, { password: '"Init-" + identity.employeeId + "-Zq7x"', disablePassword: 'keep' });
    writeFileSync(join(dir, 'roster.yaml'), options.yaml === undefined ? yaml : options.yaml(yaml));
    writeFileSync(join(dir, 'employees.csv'), csv(options.people));
    started.engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: { ...process.env, LDAP_PASSWORD: slapd.password } });
    await started.engine.readSource('hr', 'test');
    await started.engine.reconcile('corp-ldap', { actor: 'test', force: true });
  });
  afterAll(async () => {
    await started.engine?.close();
    await tearDown({ client: started.reader, server: started.slapd, dirs: [started.dir] });
  });
  return world;
}
