import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { useSlapd } from '../support/slapd-fixture.js';
import { inetOrgPerson, nextSecond, sourceProjectYaml, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 19: the stored cursor of a directory source belongs to the base,
 * filter, key and mapping it was taken with. An administrator who widens the
 * filter (or the base), or maps another attribute, and restarts `roster
 * serve` expects the next pass to read the people that now match, and the
 * new attribute for everyone. An incremental pass from the old cursor reads
 * only the entries changed since: the people the wider filter takes in (and
 * the new attribute of everyone unchanged) waited for the next full pass,
 * for a syncrepl source possibly days away.
 */
const fixture = useSlapd({ syncprov: { sessionlog: 100 } });
const dirs: string[] = [];
let engine: RosterEngine | undefined;

afterAll(async () => {
  await engine?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function open(dir: string, source: LdapSourceYaml): Promise<RosterEngine> {
  await engine?.close();
  writeFileSync(join(dir, 'roster.yaml'), sourceProjectYaml(fixture.slapd, [source], { attributes: '{ username: identity.employeeNumber }' }));
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { LDAP_PASSWORD: fixture.slapd.password }, log: silentLogger }) as RosterEngine;
  return engine;
}

describe('a source whose filter or mapping changed since its cursor (review 19)', () => {
  for (const changes of ['timestamp', 'syncrepl']) {
    it(`${changes}: the next incremental pass reads in full, taking in the people the wider filter matches and the new attribute`, async () => {
      const ou = `ou=${changes},${fixture.slapd.suffix}`;
      await fixture.admin.add(ou, { objectClass: ['organizationalUnit'], ou: changes });
      await fixture.admin.add(`uid=eng,${ou}`, inetOrgPerson('eng', `${changes}-1`, { departmentNumber: 'Eng', title: 'Engineer' }));
      await fixture.admin.add(`uid=ops,${ou}`, inetOrgPerson('ops', `${changes}-2`, { departmentNumber: 'Ops', title: 'Operator' }));
      const dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-config-review19-'));
      dirs.push(dir);
      const source = {
        id: 'corp', base: ou, changes, maxMissing: '50%', filter: '(&(objectClass=inetOrgPerson)(departmentNumber=Eng))', attributes: '{ givenName: givenName }',
      };
      let roster = await open(dir, source);
      expect(await roster.readSource('corp', 'test')).toMatchObject({ received: 1, created: 1 });
      await nextSecond();
      await nextSecond();
      // The filter widened to Ops too, and title mapped: roster.yaml edited, Roster restarted.
      roster = await open(dir, { ...source, filter: '(&(objectClass=inetOrgPerson)(|(departmentNumber=Eng)(departmentNumber=Ops)))', attributes: '{ givenName: givenName, title: title }' });
      expect(await roster.readSource('corp', 'test', { mode: 'incremental' })).toMatchObject({ received: 2, created: 1, missing: 0 });
      expect((await roster.store.identities.get(`${changes}-2`))?.state).toBe('active');
      expect((await roster.store.identities.get(`${changes}-1`))?.attributes.title).toBe('Engineer');
      // Unchanged since: incremental again, reading nothing.
      expect(await roster.readSource('corp', 'test', { mode: 'incremental' })).toMatchObject({ received: 0, missing: 0 });
    });
  }
});
