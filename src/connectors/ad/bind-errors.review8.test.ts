import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { toDirectoryError } from '../directory/errors.js';
import { explainAdDiagnostic } from './ad-errors.js';
import { adConnectionSchema, adConnectorFactory } from './index.js';
import type { Connector } from '../types.js';
import { unicodePwd } from './password.js';
import { adConnection, startSamba, type RunningSamba } from '../../../test/support/samba.js';

/** AD's diagnostics (`data XXX` of a bind, the Win32 code of an operation) as Roster words them, and whether they are retried. */
const bind = (data: string) => `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;
const asAd = (code: number, message: string): RosterError => toDirectoryError(Object.assign(new Error(message), { code }), 'corp-ad', 'update', explainAdDiagnostic);

describe('AD diagnostics in plain words', () => {
  it.each([
    [19, '00002077: AtrErr: DSID-03151E6D, #1:\n\t0: 00002077: DSID-03151E6D, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (description)', /does not allow this modification \(00002077/],
    [80, '000020EF: SvcErr: DSID-03380A0E, problem 5012 (DIR_ERROR), data 0', /unspecified error \(000020EF\)/],
    [20, '0000200D: SINGLE-VALUE attribute displayName on CN=b,OU=People specified more than once', /displayName holds one value in AD/],
  ])('LDAP %i %s', (code, message, expected) => {
    const error = asAd(code, message);
    expect(error.message).toMatch(expected);
    expect(error.retryable).toBe(false);
  });
});

let samba: RunningSamba;
let admin: Client;
const PASSWORD = 'Bind-Test-Passw0rd!';
const connectors: Connector[] = [];

beforeAll(async () => {
  samba = await startSamba();
  admin = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await admin.bind(samba.bindDN, samba.password);
}, 120_000);
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await admin?.unbind();
  await samba?.stop();
});

const people = (): string => `OU=People,${samba.rosterOU}`;

async function user(name: string, extra: Record<string, string | Buffer> = {}): Promise<string> {
  const dn = `CN=${name},${people()}`;
  await admin.add(dn, { objectClass: 'user', sAMAccountName: name, unicodePwd: unicodePwd(PASSWORD), userAccountControl: '512', ...extra } as unknown as Record<string, string>);
  return dn;
}

/** The ad connector bound as `bindDN`: its check's error. */
async function bindAs(bindDN: string, password = PASSWORD): Promise<RosterError> {
  const config = adConnectionSchema.parse({ ...adConnection(samba), bindDN, password, users: { dn: `CN={sAMAccountName},${people()}` } });
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: silentLogger });
  connectors.push(connector);
  const error = await connector.check().then(() => undefined, (e: unknown) => e as RosterError);
  expect(error, `${bindDN} should not bind`).toBeDefined();
  return error as RosterError;
}

describe('bind refusals from a real Samba DC (data XXX)', () => {
  it('each says why, never the password, and only the ones that end by themselves are retried', async () => {
    const cases: [string, RosterError, RegExp, boolean][] = [];
    const add = (label: string, error: RosterError, expected: RegExp, retryable: boolean) => cases.push([label, error, expected, retryable]);
    const ok = await user('b8-ok');
    add('wrong password (52e)', await bindAs(ok, 'Not-The-Passw0rd-8'), /bind DN or password is wrong/, false);
    add('no such user (Samba: 52e)', await bindAs(`CN=b8-nobody,${people()}`), /bind DN or password is wrong/, false);
    add('disabled (533)', await bindAs(await user('b8-dis', { userAccountControl: '514' })), /bind user is disabled/, false);
    add('must change password (773)', await bindAs(await user('b8-must', { pwdLastSet: '0' })), /must reset its password/, false);
    add('account expired (701)', await bindAs(await user('b8-exp', { accountExpires: '116444736000000000' })), /account has expired/, false);
    add('outside logon hours (530)', await bindAs(await user('b8-hours', { logonHours: Buffer.alloc(21) })), /may not log on at this time/, true);
    add('workstation (531)', await bindAs(await user('b8-ws', { userWorkstations: 'NOWHERE' })), /may not log on from this workstation/, false);
    for (const [label, error, expected, retryable] of cases) {
      expect(error.message, label).toMatch(expected);
      expect(error.message, label).not.toContain(PASSWORD);
      expect(error.message, label).not.toContain('Not-The-Passw0rd-8');
      expect(error.code, label).toBe('target.unavailable');
      expect(error.retryable, `${label}: retryable`).toBe(retryable);
    }
  });

  it('locked out (775) after the domain lockout threshold: says so, and is retried (the lockout runs out)', async () => {
    const threshold = (value: string) => admin.modify(samba.baseDN, [new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutThreshold', values: [value] }) })]);
    await threshold('2');
    try {
      const dn = await user('b8-lock');
      for (let i = 0; i < 2; i++) expect((await bindAs(dn, 'Bad-Passw0rd-x')).message).toMatch(/password is wrong/);
      const error = await bindAs(dn);
      expect(error.message).toMatch(/locked out/);
      expect(error.retryable).toBe(true);
    } finally {
      await threshold('0');
    }
  });
});
