import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { TargetAccount } from '../../core/types.js';
import type { Connector } from '../types.js';
import { ldapConnectionSchema, ldapConnectorFactory } from './index.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';

/**
 * What a server's limits and rules do to a full read (reconcile's list):
 * a size limit, a referral below the base, and entries whose entryUUID the
 * bind DN may not read. None of them may pass for a complete list, which
 * would make reconcile see accounts vanish. The bind DN is a service
 * account (the rootDN is above limits and ACLs).
 */
const servers: RunningSlapd[] = [];
const connectors: Connector[] = [];

afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function server(options: Parameters<typeof startSlapd>[0], people: number, more: (admin: Client, s: RunningSlapd) => Promise<void> = async () => {}): Promise<RunningSlapd> {
  const slapd = await startSlapd({ randomPort: true, serviceAccount: true, ...options });
  servers.push(slapd);
  const admin = new Client({ url: slapd.url });
  await admin.bind(slapd.bindDN, slapd.password);
  for (let i = 0; i < people; i++) {
    await admin.add(`uid=p${i},ou=people,${slapd.suffix}`, { objectClass: 'inetOrgPerson', uid: `p${i}`, cn: `p${i}`, sn: 'p' });
  }
  await more(admin, slapd);
  await admin.unbind();
  return slapd;
}

function connect(slapd: RunningSlapd, pageSize = 500): Connector {
  const s = slapd.suffix;
  const config = ldapConnectionSchema.parse({
    url: slapd.url, bindDN: slapd.serviceDN, password: slapd.password, pageSize,
    users: { base: `ou=people,${s}`, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: {}, defaults: { cn: '{uid}', sn: '{uid}' } },
  });
  const connector = ldapConnectorFactory.create(config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
  connectors.push(connector);
  return connector;
}

async function listing(connector: Connector): Promise<TargetAccount[] | RosterError> {
  const accounts: TargetAccount[] = [];
  try {
    for await (const account of connector.list()) accounts.push(account);
  } catch (error) {
    return error as RosterError;
  }
  return accounts;
}

describe('server-side limits and rules against a full read', () => {
  let sized: RunningSlapd;
  let referred: RunningSlapd;
  let hidden: RunningSlapd;

  beforeAll(async () => {
    [sized, referred, hidden] = await Promise.all([
      server({ sizeLimit: '3' }, 8),
      server({}, 4, async (admin, s) => {
        await admin.add(`ou=branch,ou=people,${s.suffix}`, {
          objectClass: ['referral', 'extensibleObject'], ou: 'branch', ref: `ldap://branch.example.com/ou=branch,ou=people,${s.suffix}`,
        });
      }),
      server({ acl: ['to dn.subtree="ou=people,dc=example,dc=com" attrs=entryUUID by * none'] }, 3),
    ]);
  });

  it('olcSizeLimit below the number of accounts: the paged read fails with a message naming the size limit (not a partial list)', async () => {
    for (const pageSize of [500, 2]) {
      const result = await listing(connect(sized, pageSize));
      expect(Array.isArray(result), `pageSize ${pageSize}: a list of ${Array.isArray(result) ? result.length : 0} accounts`).toBe(false);
      const error = result as RosterError;
      expect(isRosterError(error, 'target.rejected'), error.message).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/size limit/);
    }
  });

  it('a referral below users.base fails the read, naming it, instead of leaving out the accounts held elsewhere', async () => {
    const result = await listing(connect(referred));
    expect(Array.isArray(result), 'a list without the referred subtree').toBe(false);
    const error = result as RosterError;
    expect(isRosterError(error, 'target.rejected'), error.message).toBe(true);
    expect(error.message).toMatch(/ldap:\/\/branch\.example\.com/);
    expect(error.message).toMatch(/referral/);
  });

  it('entries whose entryUUID the bind DN may not read are refused with the reason, never listed with an empty account id', async () => {
    const connector = connect(hidden);
    const result = await listing(connector);
    expect(Array.isArray(result) ? result.map((a) => a.accountId) : 'refused').toBe('refused');
    const error = result as RosterError;
    expect(isRosterError(error, 'target.rejected'), error.message).toBe(true);
    expect(error.message).toMatch(/uid=p\d,ou=people,dc=example,dc=com without its entryUUID/);
    // A create adopting such an entry is refused the same way (it would otherwise link to an empty account id).
    const adopted = await connector.create({ attributes: { uid: 'p1' }, enabled: true }).then((a) => a.accountId, (e: unknown) => e as RosterError);
    expect(typeof adopted === 'string' ? `linked to "${adopted}"` : adopted.message).toMatch(/without its entryUUID/);
  });
});
