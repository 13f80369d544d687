import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChange } from '../../src/cli/plan-format.js';
import { sameDn } from '../../src/connectors/directory/dn.js';
import type { Plan } from '../../src/core/types.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, departmentRoles, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * Review 21: the ad target's users.placement against Samba. An administrator
 * moves a user to another OU below the base by hand (a GPO, a delegation):
 * `keep` leaves it there; `enforce` has reconcile record it and the next plan
 * move it back, its groups and objectGUID unchanged. AD's own spelling of an
 * OU or a CN respelled in case is in place. One Samba for the whole file.
 */
describe('review21: AD users.placement, engine against Samba', () => {
  let samba: RunningSamba;
  let admin: Client;
  const dirs: string[] = [];
  const engines: Engine[] = [];

  /** A project whose users live below their own OU (so each project's reconcile sees only its own), `CN={sAMAccountName},OU={department},…`. */
  async function open(name: string, placement: 'keep' | 'enforce'): Promise<{ engine: Engine; dir: string; base: string }> {
    const base = `OU=${name},${samba.rosterOU}`;
    await admin.add(base, { objectClass: ['top', 'organizationalUnit'] });
    const dir = adProjectDir(`ad-${placement}-`, samba);
    dirs.push(dir);
    const yaml = adProjectYaml(samba, {
      base, usersDn: `CN={sAMAccountName},OU={department},${base}`, createOUs: true,
      attributes: { sAMAccountName: `'"${placement === 'keep' ? 'pk' : 'pe'}" + identity.employeeId.lowerAscii()'`, sn: 'identity.familyName', employeeID: 'identity.employeeId', department: 'identity.department' },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, maxMoves: 100%, minAccounts: 0 }',
      roles: departmentRoles('corp-ad', { Engineering: 'Engineering', Sales: 'Sales' }),
    });
    expect(yaml).toContain('upnSuffix: example.test');
    writeFileSync(join(dir, 'roster.yaml'), yaml.replace('upnSuffix: example.test', `upnSuffix: example.test, placement: ${placement}`));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    const engine = await openEngine(join(dir, 'roster.yaml'));
    engines.push(engine);
    return { engine, dir, base };
  }
  async function sync(project: { engine: Engine; dir: string }, hr: readonly Person[]): Promise<void> {
    writeFileSync(join(project.dir, 'employees.csv'), csv(hr));
    const result = await project.engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
  }
  async function reconcileAndPlan(engine: Engine): Promise<Plan> {
    const report = await engine.reconcile('corp-ad', { actor: 'test' });
    expect(report.plan.changes).toEqual([]);
    return engine.plan({ actor: 'test' });
  }
  const summary = (plan: Plan) => plan.changes.map((c) => `${c.action} ${c.identity} ${c.reasons.join(',')}`);
  /** The link of a person and the user it names, read by objectGUID wherever it is in the domain. */
  async function account(engine: Engine, id: string) {
    const link = (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ad');
    expect(link).toBeDefined();
    const { searchEntries: [user] } = await admin.search(`<GUID=${link?.accountId}>`, { scope: 'base', attributes: ['memberOf', 'objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const memberOf = user?.memberOf === undefined ? [] : (Array.isArray(user.memberOf) ? user.memberOf : [user.memberOf]).map((dn) => String(dn).split(',')[0] ?? '').sort();
    const guid = user?.objectGUID as Buffer | undefined;
    return { link: link!, dn: user?.dn ?? '', memberOf, guidBytes: guid?.toString('hex') };
  }

  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
  }, 400_000);
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await tearDown({ client: admin, server: samba, dirs });
  });

  it('keep: a user moved to another OU by hand (samba-tool user move) stays there, and plans stay empty', async () => {
    const project = await open('PlaceKeep', 'keep');
    await sync(project, [person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee' })]);
    const home = await account(project.engine, 'E1');
    expect(home.dn).toBe(`CN=pke1,OU=Engineering,${project.base}`);
    await admin.add(`OU=Elsewhere,${project.base}`, { objectClass: ['top', 'organizationalUnit'] });
    const moved = spawnSync('samba-tool', ['user', 'move', 'pke1', `OU=Elsewhere,${project.base}`,
      '-H', '/tmp/roster-samba/run/private/sam.ldb', '-s', '/tmp/roster-samba/run/etc/smb.conf'], { encoding: 'utf8' });
    expect(moved.status, moved.stderr).toBe(0);

    expect(summary(await reconcileAndPlan(project.engine))).toEqual([]);
    const after = await account(project.engine, 'E1');
    expect(after.dn).toBe(`CN=pke1,OU=Elsewhere,${project.base}`);
    expect(after.link.placement).toBeUndefined();
    expect(after.link.accountId).toBe(home.link.accountId);
    expect(summary(await reconcileAndPlan(project.engine))).toEqual([]);
  }, 240_000);

  it('enforce: reconcile + plan show the move back, apply makes it (groups, objectGUID kept); AD\'s spelling and case are in place; a name taken fails naming both DNs', async () => {
    const project = await open('PlaceEnforce', 'enforce');
    const base = project.base;
    // The OU exists already, spelled by an administrator in lower case: AD puts the user in it, and that is where users.dn places it.
    await admin.add(`OU=sales,${base}`, { objectClass: ['top', 'organizationalUnit'] });
    await sync(project, [
      person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee' }),
      person({ employeeId: 'E2', givenName: 'Bob', familyName: 'Ray', department: 'Sales' }),
    ]);
    const homeDn = `CN=pee1,OU=Engineering,${base}`;
    const before = await account(project.engine, 'E1');
    expect(before.dn).toBe(homeDn);
    expect(before.memberOf).toEqual(['CN=All Staff', 'CN=Engineering']);
    const bob = await account(project.engine, 'E2');
    expect(bob.dn).toBe(`CN=pee2,OU=sales,${base}`);
    expect(summary(await reconcileAndPlan(project.engine))).toEqual([]);

    // Moved by hand (an LDAP modify DN with a new superior, as ldapmodify's modrdn/newsuperior).
    await admin.add(`OU=Elsewhere,${base}`, { objectClass: ['top', 'organizationalUnit'] });
    const away = `CN=pee1,OU=Elsewhere,${base}`;
    await admin.modifyDN(homeDn, away);
    expect((await account(project.engine, 'E1')).memberOf).toEqual(['CN=All Staff', 'CN=Engineering']);

    const plan = await reconcileAndPlan(project.engine);
    expect(summary(plan)).toEqual(['update E1 active,placement.drift']);
    const [change] = plan.changes;
    expect(change?.before?.placement).toBe(away);
    expect(sameDn(change?.after?.placement ?? '', homeDn)).toBe(true);
    // The plan line says the part that differs (the table cuts long lines); --json and explain keep both DNs whole.
    expect(describeChange(change!).toLowerCase()).toBe('moved back: ou=elsewhere → ou=engineering (placement drift)');
    expect((await account(project.engine, 'E1')).link.placement?.at).toBe(away);
    expect((await project.engine.explain('E1')).audit.filter((a) => a.kind === 'account.misplaced').map((a) => a.reasons)).toEqual([['placement.drift']]);

    const result = await project.engine.apply(plan, { actor: 'test' });
    expect(result.errors).toEqual([]);
    const back = await account(project.engine, 'E1');
    expect(back.dn).toBe(homeDn);
    expect(back.memberOf).toEqual(['CN=All Staff', 'CN=Engineering']);
    // The same object: one objectGUID, the link unchanged, no record of drift left.
    expect(back.guidBytes).toBe(before.guidBytes);
    expect(back.link.accountId).toBe(before.link.accountId);
    expect(back.link.placement).toBeUndefined();
    expect(back.link.entitlements).toEqual(['All Staff', 'Engineering']);
    expect((await project.engine.explain('E1')).audit.filter((a) => a.kind === 'change.applied').at(-1)?.reasons).toContain('placement.drift');
    expect(summary(await reconcileAndPlan(project.engine))).toEqual([]);

    // A CN respelled only in case where it belongs: the same DN to AD, not moved.
    await admin.modifyDN(bob.dn, `CN=PEE2,OU=sales,${base}`);
    expect(summary(await reconcileAndPlan(project.engine))).toEqual([]);
    expect((await account(project.engine, 'E2')).dn).toBe(`CN=PEE2,OU=sales,${base}`);

    // Moved away again, and another object (a contact) took its name meanwhile: the move back fails naming both DNs.
    await admin.modifyDN(homeDn, away);
    await admin.add(homeDn, { objectClass: ['top', 'contact'] });
    const again = await reconcileAndPlan(project.engine);
    expect(summary(again)).toEqual(['update E1 active,placement.drift']);
    const failed = await project.engine.apply(again, { actor: 'test' });
    expect(failed.errors).toHaveLength(1);
    const message = failed.errors[0]?.error ?? '';
    expect(message).toContain(`cannot move ${away} to `);
    expect(message.toLowerCase()).toContain(`to ${homeDn.toLowerCase()}: another object with that dn already exists`);
    expect(message).toContain('users.placement: keep');
    expect((await account(project.engine, 'E1')).dn).toBe(away);
  }, 300_000);
});
