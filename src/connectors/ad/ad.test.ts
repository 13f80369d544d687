import { describe, expect, it } from 'vitest';
import { toDirectoryError } from '../directory/errors.js';
import { explainAdDiagnostic } from './ad-errors.js';
import { adConnectionSchema } from './config.js';
import { accountExpiresValue, filetimeToIso, isoToFiletime } from './filetime.js';
import { guidToBytes, guidToString } from './guid.js';
import { initialPassword, initialPasswordLength, meetsComplexity, unicodePwd } from './password.js';
import { samAccountNameProblem } from '../directory/sam-account-name.js';
import { isEnabled, withEnabled } from './uac.js';

describe('objectGUID', () => {
  it('uses the Microsoft byte order (first three groups little-endian)', () => {
    const bytes = Buffer.from('1f3e85db7fcad54cac739936023 46d32'.replace(/ /g, ''), 'hex');
    expect(guidToString(bytes)).toBe('db853e1f-ca7f-4cd5-ac73-993602346d32');
    expect(guidToBytes('db853e1f-ca7f-4cd5-ac73-993602346d32').equals(bytes)).toBe(true);
  });
  it('refuses what is not a GUID', () => {
    expect(() => guidToBytes('*)(objectClass=*')).toThrow(/not a GUID/);
    expect(() => guidToString(Buffer.alloc(15))).toThrow(/16 bytes/);
  });
});

describe('accountExpires FILETIME', () => {
  it('converts an instant both ways', () => {
    expect(isoToFiletime('1601-01-01T00:00:00.001Z')).toBe('10000');
    expect(isoToFiletime('2026-03-01T12:00:00Z')).toBe('134168400000000000');
    expect(filetimeToIso('134168400000000000')).toBe('2026-03-01T12:00:00.000Z');
  });
  it('a date alone expires at the start of the next day and reads back as that date', () => {
    const filetime = isoToFiletime('2026-12-31');
    expect(filetime).toBe(isoToFiletime('2027-01-01T00:00:00Z'));
    expect(filetimeToIso(filetime)).toBe('2026-12-31');
  });
  it('0, the maximum and absent all mean never', () => {
    expect(filetimeToIso('0')).toBeUndefined();
    expect(filetimeToIso('9223372036854775807')).toBeUndefined();
    expect(accountExpiresValue(null)).toBe('0');
    expect(accountExpiresValue(undefined)).toBe('0');
    expect(() => isoToFiletime('next tuesday')).toThrow(/not an ISO date/);
  });
  it('reads an offset, takes a date-time without one as UTC, and refuses times and offsets that do not exist', () => {
    expect(isoToFiletime('2026-03-01T12:00:00')).toBe(isoToFiletime('2026-03-01T12:00:00Z'));
    expect(isoToFiletime('2026-03-01 12:00')).toBe(isoToFiletime('2026-03-01T12:00:00Z'));
    expect(isoToFiletime('2026-03-01T14:00:00+02:00')).toBe(isoToFiletime('2026-03-01T12:00:00Z'));
    expect(isoToFiletime('2026-03-01T07:30:00-0430')).toBe(isoToFiletime('2026-03-01T12:00:00Z'));
    expect(isoToFiletime('2028-02-29')).toBe(isoToFiletime('2028-03-01T00:00:00Z'));
    for (const text of ['2027-02-29', '2026-13-01', '2026-03-01T24:00:00Z', '2026-03-01T12:60Z', '2026-03-01T12:00:00+25:00', '2026-3-1']) {
      expect(() => isoToFiletime(text), text).toThrow(/not an ISO date/);
    }
  });
});

describe('sAMAccountName rules', () => {
  it('names the rule a refused name breaks', () => {
    expect(samAccountNameProblem('jane.doe')).toBeUndefined();
    expect(samAccountNameProblem('x'.repeat(20))).toBeUndefined();
    expect(samAccountNameProblem('x'.repeat(21))).toMatch(/20 characters/);
    expect(samAccountNameProblem('jane@corp')).toMatch(/@/);
    expect(samAccountNameProblem('a/b')).toMatch(/contains \/, which AD does not allow/);
    expect(samAccountNameProblem(' jane')).toMatch(/space/);
    expect(samAccountNameProblem('jane ')).toMatch(/space/);
    expect(samAccountNameProblem('jane.')).toMatch(/dot/);
    for (const c of '"/\\[]:;|=,+*?<>') expect(samAccountNameProblem(`a${c}b`), c).toMatch(/does not allow/);
  });
});

describe('initial passwords', () => {
  it('are long, use all four classes and differ every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = initialPassword();
      expect(password).toHaveLength(24);
      expect(meetsComplexity(password)).toBe(true);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^A-Za-z0-9]/);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
    expect(initialPassword(8)).toHaveLength(16);
  });
  it('are as long as the configured length or the domain minimum, whichever asks for more, within 16 to 128', () => {
    expect(initialPasswordLength(24, undefined)).toBe(24);
    expect(initialPasswordLength(24, 7)).toBe(24);
    expect(initialPasswordLength(24, 30)).toBe(30);
    expect(initialPasswordLength(40, 30)).toBe(40);
    expect(initialPasswordLength(8, 0)).toBe(16);
    expect(initialPasswordLength(24, 500)).toBe(128);
    expect(initialPassword(initialPasswordLength(24, 30))).toHaveLength(30);
    expect(initialPassword(1000)).toHaveLength(128);
  });
  it('complexity refuses short passwords and ones that contain the account name', () => {
    expect(meetsComplexity('Ab1!Ab1!Ab1!')).toBe(false);
    expect(meetsComplexity('xx-JSmith-Aa1!-yyyyyy', ['jsmith'])).toBe(false);
    expect(meetsComplexity('Qw9!Er8@Ty7#Ui6$', ['jsmith'])).toBe(true);
  });
  it('unicodePwd is the quoted password in UTF-16LE', () => {
    expect(unicodePwd('Ab1!').equals(Buffer.from([0x22, 0, 0x41, 0, 0x62, 0, 0x31, 0, 0x21, 0, 0x22, 0]))).toBe(true);
  });
});

describe('userAccountControl', () => {
  it('flips only the disable bit', () => {
    expect(withEnabled(0x10202, true)).toBe(0x10200);
    expect(withEnabled(0x10200, false)).toBe(0x10202);
    expect(withEnabled(514, false)).toBe(514);
    expect(isEnabled(512)).toBe(true);
    expect(isEnabled(514)).toBe(false);
  });
});

describe('AD diagnostics in plain words', () => {
  const error = (code: number, message: string) => toDirectoryError(Object.assign(new Error(message), { code }), 'corp-ad', 'create', explainAdDiagnostic);
  it.each([
    [49, '80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839', /bind DN or password is wrong/],
    [49, '80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839', /locked out/],
    [19, '0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity criteria!', /password policy/],
    [68, '00002071: samldb: entry already exists', /already exists/],
    [10, '0000202B: RefErr: DSID-031007EF, data 0, 1 access points', /referral/],
    [19, '00000524: UpdErr: DSID-031A11E2, problem 6005 (ENTRY_EXISTS)', /already taken/],
    [68, 'samldb: Account name (sAMAccountName) \'jsmith\' already in use!', /already taken/],
    [19, '0000202F: samldb: sAMAccountName contains invalid \'"\' character', /sAMAccountName breaks AD's rules/],
  ])('LDAP %i %s', (code, message, words) => {
    const mapped = error(code, message);
    expect(mapped.message).toMatch(words);
    expect(mapped.message).toContain(message.slice(0, 8));
  });
});

describe('ad connection schema', () => {
  const base = { url: 'ldaps://dc1.corp.example:636', bindDN: 'CN=svc,DC=corp', password: 'x', base: 'OU=Roster,DC=corp', users: { dn: 'CN={sAMAccountName},OU=Roster,DC=corp' } };
  it('accepts LDAPS, or plain LDAP with StartTLS, and refuses plain LDAP alone (passwords)', () => {
    expect(adConnectionSchema.safeParse(base).success).toBe(true);
    expect(adConnectionSchema.safeParse({ ...base, url: 'ldap://dc1:389', startTLS: true }).success).toBe(true);
    const plain = adConnectionSchema.safeParse({ ...base, url: 'ldap://dc1:389' });
    expect(plain.success).toBe(false);
    expect(plain.error?.issues[0]?.message).toMatch(/ldaps/);
  });
  it('refuses unknown keys, bad DNs and attribute names that could inject', () => {
    expect(adConnectionSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(adConnectionSchema.safeParse({ ...base, base: 'not a dn' }).success).toBe(false);
    expect(adConnectionSchema.safeParse({ ...base, users: { ...base.users, attributes: { email: 'mail)(x=*' } } }).success).toBe(false);
  });
});

describe('AdConnector refuses a bad sAMAccountName before writing', () => {
  it('on create and on update, naming the rule (target.rejected)', async () => {
    const { AdConnector } = await import('./ad-connector.js');
    const { createLogger } = await import('../../core/log.js');
    const writes: string[] = [];
    const client = {
      search: () => Promise.resolve({ searchEntries: [{ dn: 'CN=E1,OU=Roster,DC=corp,DC=example', objectGUID: guidToBytes('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'), userAccountControl: '512', sAMAccountName: 'e1' }], searchReferences: [] }),
      add: (dn: string) => { writes.push(`add ${dn}`); return Promise.resolve(); },
      modify: (dn: string) => { writes.push(`modify ${dn}`); return Promise.resolve(); },
      modifyDN: (dn: string) => { writes.push(`modifyDN ${dn}`); return Promise.resolve(); },
    };
    const pool = { use: <T>(run: (c: typeof client) => Promise<T>) => run(client), close: () => Promise.resolve() };
    const config = adConnectionSchema.parse({
      url: 'ldaps://dc.corp.example', bindDN: 'CN=svc,DC=corp,DC=example', password: 'x', base: 'OU=Roster,DC=corp,DC=example',
      users: { dn: 'CN={sAMAccountName},OU=Roster,DC=corp,DC=example', upnSuffix: 'corp.example' },
    });
    const ad = new AdConnector(pool as never, config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => undefined) });
    await expect(ad.create({ attributes: { sAMAccountName: 'jane@corp' }, enabled: true })).rejects.toMatchObject({ code: 'target.rejected', message: expect.stringMatching(/sAMAccountName "jane@corp" contains @/) });
    await expect(ad.update('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', { sAMAccountName: 'jane.' })).rejects.toMatchObject({ code: 'target.rejected', message: expect.stringMatching(/^update on corp-ad: sAMAccountName "jane\." ends with a dot/) });
    await expect(ad.update('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', { sAMAccountName: 'x'.repeat(21) })).rejects.toMatchObject({ code: 'target.rejected', message: expect.stringMatching(/20 characters/) });
    expect(writes).toEqual([]);
  });
});
