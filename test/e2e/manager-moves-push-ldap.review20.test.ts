import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createToken } from '../../src/api/tokens.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';

/**
 * An HR push of only the manager, into a real slapd: the push plans him
 * alone, yet moving, renaming, disabling or enabling his entry names his
 * reports (who are outside the plan) in the plan's `reference.deferred`
 * note, so the push's follow-up writes their `manager` DN again: no wait for
 * the next full plan (engine/outside-reports.ts, outsideFollowers).
 */
describe('HR push of a manager whose DN changes, against OpenLDAP (review20)', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let app: FastifyInstance;
  let dir: string;
  let reader: Client;
  let token: string;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-manager-push-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./data/roster.db
sources:
  - { id: hr, type: push, key: employeeId, fields: { manager: managerId } }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:ROSTER_R20_LDAP_PASSWORD}
      users:
        base: "ou=people,${s}"
        dn: "uid={uid},ou={department},ou=people,${s}"
        createOUs: true
        key: uid
        attributes: { department: ou, manager: manager }
      disable: { strategy: move, ou: "ou=disabled,${s}" }
    accountKey: uid
    attributes:
      uid: identity.givenName.lowerAscii()
      cn: identity.givenName
      sn: identity.givenName
      department: identity.department
      manager: 'has(managerAccount.id) && managerAccount.enabled ? "uid=" + managerAccount.attributes.uid + ",ou=" + managerAccount.attributes.department + ",ou=people,${s}" : ""'
    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }
`);
    process.env.ROSTER_R20_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
    app = await buildServer(engine, { logger: false });
    token = (await createToken(engine.store, 'workday', ['push:hr'])).token;
  });
  afterAll(async () => {
    await app?.close();
    await tearDown({ engine, client: reader, server: slapd, dirs: [dir] });
  });

  async function push(records: readonly Record<string, string>[]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/sources/hr/records', headers: { authorization: `Bearer ${token}` }, payload: { records } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { plan: { id: string; summary: Record<string, number> }; applied: number; failed: number; followUp?: { changes: number; applied: number; failed: number } };
    expect(body.failed).toBe(0);
    return body;
  }

  async function managers(): Promise<Record<string, string>> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'manager'] });
    return Object.fromEntries(searchEntries.map((e) => [String(e.uid), e.manager === undefined ? '' : String(e.manager).toLowerCase()]));
  }
  const dn = (uid: string, ou: string) => `uid=${uid},ou=${ou},ou=people,${slapd.suffix}`.toLowerCase();
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const max = (over: Record<string, string> = {}) => ({ employeeId: 'M1', givenName: 'Max', department: 'Engineering', startDate: '2020-01-01', ...over });

  async function settled(): Promise<void> {
    expect((await engine.plan()).changes.map((c) => `${c.identity}:${c.action}`)).toEqual([]);
  }

  it('moves, renames, a leave and a rehire pushed for the manager alone fix the reports outside the push', async () => {
    await push([
      max(),
      { employeeId: 'R1', givenName: 'Ada', department: 'Engineering', startDate: '2020-01-01', managerId: 'M1' },
      { employeeId: 'R2', givenName: 'Alan', department: 'Sales', startDate: '2020-01-01', managerId: 'M1' },
    ]);
    expect(await managers()).toEqual({ max: '', ada: dn('max', 'Engineering'), alan: dn('max', 'Engineering') });
    await settled();

    // (1) A move: his department changes, so his DN does.
    const moved = await push([max({ department: 'Operations' })]);
    expect(moved.plan.summary).toMatchObject({ update: 1 });
    expect(moved.followUp).toMatchObject({ changes: 2, applied: 2, failed: 0 });
    expect(await managers()).toEqual({ max: '', ada: dn('max', 'Operations'), alan: dn('max', 'Operations') });
    await settled();

    // (2) A rename: his uid changes.
    await push([max({ department: 'Operations', givenName: 'Maxwell' })]);
    expect(await managers()).toEqual({ maxwell: '', ada: dn('maxwell', 'Operations'), alan: dn('maxwell', 'Operations') });
    await settled();

    // (3) He leaves: his entry is moved into ou=disabled, and the mapping names no disabled manager.
    const left = await push([max({ department: 'Operations', givenName: 'Maxwell', endDate: yesterday, status: 'terminated' })]);
    expect(left.plan.summary).toMatchObject({ disable: 1 });
    expect(await managers()).toEqual({ maxwell: '', ada: '', alan: '' });
    await settled();

    // (4) He is rehired: back under his OU, and named again.
    const back = await push([max({ department: 'Operations', givenName: 'Maxwell', startDate: today, endDate: '', status: 'active' })]);
    expect(back.plan.summary).toMatchObject({ enable: 1 });
    expect(await managers()).toEqual({ maxwell: '', ada: dn('maxwell', 'Operations'), alan: dn('maxwell', 'Operations') });
    await settled();
    expect((await verifyAudit(engine.store)).ok).toBe(true);
  });
});
