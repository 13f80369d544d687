import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from '../../config/load.js';
import { RosterError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import type { TargetAccount } from '../../core/types.js';
import { sameDn } from '../directory/dn.js';
import type { ClientPool, DirectoryClient } from '../directory/pool.js';
import { AdConnector } from './ad-connector.js';
import { adConnectionSchema } from './config.js';
import { guidToBytes } from './guid.js';

const BASE = 'OU=Roster,DC=corp,DC=example';
const GUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const connection = { url: 'ldaps://dc.corp.example', bindDN: 'CN=svc,DC=corp,DC=example', password: 'x', base: BASE };

function connector(placement: string | undefined, dn = `CN={displayName},OU={department},OU=People,${BASE}`, pool = {} as ClientPool): AdConnector {
  const config = adConnectionSchema.parse({ ...connection, users: { dn, ...(placement === undefined ? {} : { placement }) } });
  return new AdConnector(pool, config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => undefined), attributes: ['sAMAccountName', 'displayName', 'department'] });
}

const read = (location: string | undefined, attributes: Record<string, unknown> = { sAMAccountName: 'alee', displayName: 'Lee, Ann', department: 'Sales' }): TargetAccount => ({
  accountId: GUID, attributes, entitlements: [], enabled: true, ...(location === undefined ? {} : { location }),
});

describe('review21: ad users.placement', () => {
  it('is keep by default and takes keep or enforce', () => {
    expect(adConnectionSchema.parse({ ...connection, users: { dn: `CN={sAMAccountName},${BASE}` } }).users.placement).toBe('keep');
    for (const placement of ['keep', 'enforce'] as const) {
      expect(adConnectionSchema.parse({ ...connection, users: { dn: `CN={sAMAccountName},${BASE}`, placement } }).users.placement).toBe(placement);
    }
  });

  it('a roster.yaml with another value names the file, line and key path', () => {
    const yaml = `store: sqlite:./data/roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp-ad
    type: ad
    connection:
      url: ldaps://dc.corp.example
      bindDN: CN=svc,DC=corp,DC=example
      password: secret
      base: "${BASE}"
      users:
        dn: "CN={sAMAccountName},OU=People,${BASE}"
        placement: enforced
    accountKey: sAMAccountName
    attributes: { sAMAccountName: identity.employeeId }
`;
    const { config, problems } = validateConfigText(yaml, '/etc/roster/roster.yaml', { env: {} });
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem).join('\n')).toBe('/etc/roster/roster.yaml:14:20: targets[0].connection.users.placement: expected one of keep, enforce');
  });

  it('enforce: elsewhere is drift; case, escaping and AD\'s own spelling of an OU are in place; keep and no location tell nothing', () => {
    const enforce = connector('enforce');
    const home = `CN=Lee\\, Ann,OU=Sales,OU=People,${BASE}`;
    const away = `CN=Lee\\, Ann,OU=Elsewhere,OU=People,${BASE}`;
    const drift = enforce.placement(read(away), {});
    expect(drift?.at).toBe(away);
    // Roster's own escaping (CN=Lee\2c Ann): the same DN.
    expect(sameDn(drift?.belongs ?? '', home)).toBe(true);
    expect(Object.keys(drift ?? {}).sort()).toEqual(['at', 'belongs']);
    for (const same of [home, `cn=lee\\, ann,ou=sales,ou=people,ou=roster,dc=corp,dc=example`, `CN=Lee\\2C Ann,OU=SALES,OU=People,${BASE}`, `CN=Lee\\, Ann,OU=sales,OU=People,${BASE}`]) {
      expect(enforce.placement(read(same), {}), same).toBeUndefined();
    }
    // Moved outside the base (AdConnector.get's moved-away path) or read without a location: nothing to tell.
    expect(enforce.placement(read(undefined), {})).toBeUndefined();
    // A template value missing: it cannot be placed, it is left alone.
    expect(enforce.placement(read(away, { sAMAccountName: 'alee', displayName: 'Lee, Ann' }), {})).toBeUndefined();
    expect(connector('keep').placement(read(away), {})).toBeUndefined();
    expect(connector(undefined).placement(read(away), {})).toBeUndefined();
  });

  it('the move back to a DN another object holds fails naming both DNs, not retried', async () => {
    const at = `CN=Ann Lee,OU=Elsewhere,OU=People,${BASE}`;
    const client = {
      search: () => Promise.resolve({ searchEntries: [{ dn: at, objectGUID: guidToBytes(GUID), userAccountControl: '512', displayName: 'Ann Lee', department: 'Sales' }], searchReferences: [] }),
      modifyDN: () => Promise.reject(Object.assign(new Error('00002071: UpdErr: DSID-030502F8, problem 6005 (ENTRY_EXISTS), data 0'), { code: 68 })),
      modify: () => Promise.resolve(),
    } as unknown as DirectoryClient;
    const pool = { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client), close: () => Promise.resolve() } as unknown as ClientPool;
    const error = await connector('enforce', undefined, pool).update(GUID, {}, {}, { place: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RosterError);
    expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
    expect((error as Error).message).toBe(`update on corp-ad: cannot move ${at} to CN=Ann Lee,OU=Sales,OU=People,${BASE}: another object with that DN already exists `
      + '(AD names an object by its CN within its OU): rename or move that object, or change users.dn so the two names differ; '
      + `the account was moved to ${at} by hand: if that is where it should stay, set users.placement: keep `
      + '(LDAP 68: 00002071: UpdErr: DSID-030502F8, problem 6005 (ENTRY_EXISTS), data 0)');
    // Without `place` an update that writes no value the template takes moves nothing.
    await expect(connector('enforce', undefined, pool).update(GUID, {})).resolves.toBeUndefined();
  });
});
