import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * Review 22, against a real slapd (examples/ldap: disable immediately,
 * delete after 30 days): Tom's grace-expired delete is queued while
 * corp-ldap is quarantined; HR then takes his termination back (entered by
 * mistake). The next sync withdraws the waiting delete instead of letting it
 * run and creating a new entry after it: once the quarantine is released,
 * his entry is the one he had (same entryUUID), enabled, nothing was
 * deleted, and the audit log says the delete was withdrawn and by which plan.
 */
describe('review 22: a queued delete no longer wanted is withdrawn, not run and followed by a create', () => {
  let slapd: RunningSlapd;
  let reader: Client;
  let engine: Engine;
  const dirs: string[] = [];
  const clock = { now: new Date('2026-03-01T09:00:00Z') };
  const tom = person({ employeeId: 'WD1', givenName: 'Tom', familyName: 'Withdrawn', department: 'Operations' });
  // Enough people that one delete is within the example's safety limits (5% of at least 10 accounts).
  const others = Array.from({ length: 20 }, (_, i) => person({ employeeId: `WO${i}`, givenName: `Other${String.fromCharCode(97 + i)}`, familyName: 'Person', department: 'Operations' }));

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    const dir = mkdtempSync(join(tmpdir(), 'roster-withdrawn-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'roster.yaml'), ldapExampleYaml(slapd.url));
    writeFileSync(join(dir, 'employees.csv'), csv([tom, ...others]));
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: { ...process.env, LDAP_PASSWORD: slapd.password } });
    sync.dir = dir;
    await engine.readSource('hr', 'test');
    await engine.reconcile('corp-ldap', { actor: 'test', force: true });
  });
  afterAll(async () => {
    await engine?.close();
    await tearDown({ client: reader, server: slapd, dirs });
  });

  const sync = Object.assign(async (when: string, rows: readonly (typeof tom)[]) => {
    clock.now = new Date(when);
    writeFileSync(join(sync.dir, 'employees.csv'), csv(rows));
    const result = await engine.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    expect(result.result?.errors ?? []).toEqual([]);
    return result;
  }, { dir: '' });

  async function entry(uid: string): Promise<{ dn: string; uuid: string } | undefined> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['entryUUID'] });
    expect(searchEntries.length).toBeLessThanOrEqual(1);
    const found = searchEntries[0];
    return found === undefined ? undefined : { dn: found.dn, uuid: String(found.entryUUID) };
  }

  it('the entry is kept (same entryUUID), enabled again, nothing deleted; the audit says the delete was withdrawn', { timeout: 60_000 }, async () => {
    const terminated = { ...tom, endDate: '2026-03-05', status: 'terminated' };
    await sync('2026-03-01T09:00:00Z', [tom, ...others]);
    const before = await entry('tom.withdrawn');
    expect(before?.dn).toMatch(/ou=Operations,ou=people/);
    await sync('2026-03-06T09:00:00Z', [terminated, ...others]);
    expect((await entry('tom.withdrawn'))?.dn).toMatch(/ou=disabled/);

    // Past the 30 days' grace, corp-ldap in quarantine (a maintenance window): the delete is queued and waits.
    await engine.holdQuarantine('corp-ldap', 'ops', 'CHG-22');
    const deleting = await sync('2026-04-10T09:00:00Z', [terminated, ...others]);
    expect(deleting.plan.summary).toEqual({ delete: 1 });

    // HR takes the termination back: the waiting delete is withdrawn; the entry is enabled where it is, no create.
    const back = await sync('2026-04-11T09:00:00Z', [tom, ...others]);
    expect(back.plan.changes.map((c) => c.action)).not.toContain('create');
    expect(back.plan.changes.map((c) => c.action)).toContain('enable');
    expect(back.plan.withdrawn).toEqual([expect.objectContaining({ queuedBy: deleting.plan.id, change: expect.objectContaining({ action: 'delete', identity: 'WD1' }) })]);
    expect((await engine.store.queue.get(back.plan.withdrawn![0]!.jobId))?.status).toBe('cancelled');

    await engine.releaseQuarantine('corp-ldap', 'ops');
    await sync('2026-04-11T10:00:00Z', [tom, ...others]);
    const after = await entry('tom.withdrawn');
    expect(after).toEqual({ dn: before!.dn, uuid: before!.uuid });
    expect(await engine.store.accounts.get('corp-ldap', 'WD1')).toMatchObject({ accountId: before!.uuid, enabled: true });
    const applied = (await engine.store.audit.list({ identity: 'WD1', kind: 'change.applied' })).map((e) => (e.data as { action?: string }).action);
    expect(applied).not.toContain('delete');
    // The one create is the joiner's, on the first day: no second entry was made.
    expect(applied.filter((action) => action === 'create')).toHaveLength(1);
    expect(await engine.store.queue.stats({ planId: deleting.plan.id })).toMatchObject({ done: 0, failed: 0, pending: 0, cancelled: 1 });
    const withdrawn = await engine.store.audit.list({ identity: 'WD1', kind: 'queue.withdrawn' });
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]).toMatchObject({
      actor: 'test', target: 'corp-ldap', reasons: expect.arrayContaining(['queued.withdrawn']),
      data: { planId: back.plan.id, queuedBy: deleting.plan.id, action: 'delete' },
    });
  });
});
