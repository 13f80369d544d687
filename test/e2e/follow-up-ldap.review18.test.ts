import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';

/**
 * A team joining with its new managers, into a real slapd: inetOrgPerson's
 * DN-valued `manager` is mapped from managerAccount (the manager's own entry,
 * through the link Roster made). The plan creates everyone, the apply's
 * follow-up plan writes each report's manager DN once the managers' entries
 * exist, and the next plan has nothing to do.
 */
describe('follow-up plan against OpenLDAP: manager DNs of a team joining together (review18)', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-follow-up-ldap-'));
    const s = slapd.suffix;
    // A new head (H1), her new leads (L1, L2), their new reports, and a pair who manage each other.
    writeFileSync(join(dir, 'employees.csv'), [
      'employeeId,uid,givenName,familyName,managerId',
      'H1,hedy,Hedy,Lamarr,',
      'L1,alan,Alan,Turing,H1',
      'L2,grace,Grace,Hopper,H1',
      'R1,edsger,Edsger,Dijkstra,L1',
      'R2,barbara,Barbara,Liskov,L2',
      'R3,donald,Donald,Knuth,L2',
      'A1,ken,Ken,Thompson,A2',
      'A2,dennis,Dennis,Ritchie,A1',
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./data/roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { manager: managerId } }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:ROSTER_R18_LDAP_PASSWORD}
      users:
        base: "ou=people,${s}"
        dn: "uid={uid},ou=people,${s}"
        key: uid
        attributes: { manager: manager }
    accountKey: uid
    attributes:
      uid: identity.uid
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
      manager: 'has(managerAccount.id) ? "uid=" + managerAccount.attributes.uid + ",ou=people,${s}" : ""'
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }
`);
    process.env.ROSTER_R18_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  async function managers(): Promise<Record<string, string>> {
    const { searchEntries } = await reader.search(`ou=people,${slapd.suffix}`, { scope: 'one', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'manager'] });
    return Object.fromEntries(searchEntries.map((e) => [String(e.uid), e.manager === undefined ? '' : String(e.manager)]));
  }

  it('creates everyone, then the follow-up writes the reports\' manager DNs; the next plan is empty', async () => {
    await engine.readSource('hr', 'test');
    const plan = await engine.plan();
    expect(plan.summary).toMatchObject({ create: 8 });
    expect(plan.diagnostics.find((d) => d.code === 'reference.deferred')?.identities).toEqual(['A1', 'A2', 'L1', 'L2', 'R1', 'R2', 'R3']);

    const result = await engine.apply(plan, { actor: 'test' });
    expect(result).toMatchObject({ applied: 8, failed: 0, pending: 0, followUp: { changes: 7, applied: 7, failed: 0, pending: 0 } });
    const dn = (uid: string) => `uid=${uid},ou=people,${slapd.suffix}`;
    expect(await managers()).toEqual({
      hedy: '', alan: dn('hedy'), grace: dn('hedy'), edsger: dn('alan'), barbara: dn('grace'), donald: dn('grace'), ken: dn('dennis'), dennis: dn('ken'),
    });

    // The follow-up holds only updates of `manager`, and is saved and audited as made because of the first plan.
    const followUp = await engine.store.plans.get(result.followUp?.planId ?? '');
    expect(new Set(followUp?.changes.map((c) => `${c.action}:${Object.keys(c.after?.attributes ?? {}).join(',')}`))).toEqual(new Set(['update:manager']));
    const created = (await engine.store.audit.list({ kind: 'plan.created' })).map((e) => e.data as { planId: string; followUpOf?: string });
    expect(created).toContainEqual(expect.objectContaining({ planId: result.followUp?.planId, followUpOf: plan.id }));

    const next = await engine.plan();
    expect(next.changes).toEqual([]);
    expect(next.diagnostics.filter((d) => d.code === 'reference.deferred')).toEqual([]);
    // A reconcile pass reads the DNs back from slapd: they are what Roster wrote, and nothing is planned again.
    await engine.reconcile('corp-ldap', { actor: 'test' });
    expect((await engine.plan()).changes).toEqual([]);
    expect((await verifyAudit(engine.store)).ok).toBe(true);
  });
});
