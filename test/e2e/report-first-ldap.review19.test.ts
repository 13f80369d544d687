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
 * HR pushes in the "wrong" order, into a real slapd: a report pushed before
 * her new manager gets her entry without a `manager`. The manager's own push
 * plans him alone, yet creating his entry names the report in the plan's
 * `reference.deferred` note (engine/outside-reports.ts), so the push's
 * follow-up writes her manager DN: no wait for the next full plan.
 */
describe('HR push of a manager after his report, against OpenLDAP (review19)', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let app: FastifyInstance;
  let dir: string;
  let reader: Client;
  let token: string;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-report-first-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./data/roster.db
sources:
  - { id: hr, type: push, key: employeeId, fields: { manager: managerId } }
targets:
  - id: corp-ldap
    type: ldap
    scope: identity.uid != "nobody"
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:ROSTER_R19_LDAP_PASSWORD}
      users:
        base: "ou=people,${s}"
        dn: "uid={uid},ou=people,${s}"
        key: uid
        attributes: { manager: manager }
    accountKey: uid
    attributes:
      uid: identity.uid
      cn: identity.givenName
      sn: identity.givenName
      manager: 'has(managerAccount.id) ? "uid=" + managerAccount.attributes.uid + ",ou=people,${s}" : ""'
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }
`);
    process.env.ROSTER_R19_LDAP_PASSWORD = slapd.password;
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
    return res.json() as { plan: { id: string; summary: Record<string, number> }; applied: number; followUp?: { planId: string; changes: number; applied: number; failed: number } };
  }

  async function managers(): Promise<Record<string, string>> {
    const { searchEntries } = await reader.search(`ou=people,${slapd.suffix}`, { scope: 'one', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'manager'] });
    return Object.fromEntries(searchEntries.map((e) => [String(e.uid), e.manager === undefined ? '' : String(e.manager)]));
  }

  it('the manager\'s push sets the references of the reports pushed before him, through its follow-up', async () => {
    // Two reports first (one of them out of the target's scope: no entry), and someone else's report.
    const first = await push([
      { employeeId: 'R1', uid: 'ada', givenName: 'Ada', managerId: 'M1' },
      { employeeId: 'R2', uid: 'nobody', givenName: 'Nobody', managerId: 'M1' },
      { employeeId: 'R3', uid: 'alan', givenName: 'Alan', managerId: 'M2' },
    ]);
    expect(first).toMatchObject({ applied: 2 });
    expect(first.followUp).toBeUndefined();
    expect(await managers()).toEqual({ ada: '', alan: '' });

    const second = await push([{ employeeId: 'M1', uid: 'max', givenName: 'Max' }]);
    expect(second.plan.summary).toMatchObject({ create: 1 });
    const plan = await engine.store.plans.get(second.plan.id);
    expect(plan?.diagnostics.find((d) => d.code === 'reference.deferred')).toMatchObject({ target: 'corp-ldap', identities: ['R1'] });
    expect(second.followUp).toMatchObject({ changes: 1, applied: 1, failed: 0 });
    const dn = (uid: string) => `uid=${uid},ou=people,${slapd.suffix}`;
    expect(await managers()).toEqual({ ada: dn('max'), alan: '', max: '' });

    // A full plan finds only what no push has settled yet: Alan's manager is still unknown to HR.
    expect((await engine.plan()).changes).toEqual([]);
    expect((await verifyAudit(engine.store)).ok).toBe(true);
  });
});
