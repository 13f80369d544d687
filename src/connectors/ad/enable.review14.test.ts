import { describe, expect, it } from 'vitest';
import type { Change, SearchOptions } from 'ldapts';
import { createLogger } from '../../core/log.js';
import { enableReason } from '../../executor/apply-change.js';
import type { ClientPool, DirectoryClient } from '../directory/pool.js';
import { AdConnector } from './ad-connector.js';
import { adConnectionSchema } from './config.js';
import { newPasswordOnEnable } from '../directory/password-on-enable.js';
import { guidToBytes } from './guid.js';

const BASE = 'OU=Roster,DC=corp,DC=example';
const GUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const USER_DN = `CN=E1,OU=People,${BASE}`;

/** One user (disabled unless `user` says otherwise); every modify is recorded as the attribute names it writes, and the values. */
function fakePool(user: Record<string, unknown>, modifies: Array<Array<{ type: string; values: unknown[] }>>) {
  const client = {
    search(_base: string, _options: SearchOptions) {
      return Promise.resolve({ searchEntries: [{ dn: USER_DN, objectGUID: guidToBytes(GUID), userAccountControl: '514', pwdLastSet: '134403323653259490', sAMAccountName: 'ada', ...user }], searchReferences: [] });
    },
    modify(_dn: string, changes: Change | Change[]) {
      modifies.push((Array.isArray(changes) ? changes : [changes]).map((c) => ({ type: c.modification.type, values: c.modification.values })));
      return Promise.resolve();
    },
  } as unknown as DirectoryClient;
  return { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client), close: () => Promise.resolve() } as unknown as ClientPool;
}

function connector(pool: ClientPool, passwordOnEnable?: string, lines: string[] = []): AdConnector {
  const config = adConnectionSchema.parse({
    url: 'ldaps://dc.corp.example', bindDN: 'CN=svc,DC=corp,DC=example', password: 'x', base: BASE,
    users: { dn: `CN={employeeID},OU=People,${BASE}`, ...(passwordOnEnable === undefined ? {} : { passwordOnEnable }) },
  });
  return new AdConnector(pool, config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('debug', (line) => lines.push(line)) });
}

describe('review14: an AD rehire is enabled with a new initial password, never the old one', () => {
  it('the executor tells a rehire from a joiner\'s first day and from any other return', () => {
    expect(enableReason(['rehire'])).toBe('rehire');
    expect(enableReason(['joiner'])).toBe('joiner');
    expect(enableReason(['active'])).toBe('return');
    expect(enableReason(['leave.kept'])).toBe('return');
  });

  it('users.passwordOnEnable: rehire (default) resets for a rehire only; return for any return; keep never; a joiner never', () => {
    expect(adConnectionSchema.parse({ url: 'ldaps://dc', bindDN: 'CN=s', password: 'x', base: BASE, users: { dn: 'CN={cn},OU=P' } }).users.passwordOnEnable).toBe('rehire');
    expect(adConnectionSchema.safeParse({ url: 'ldaps://dc', bindDN: 'CN=s', password: 'x', base: BASE, users: { dn: 'CN={cn},OU=P', passwordOnEnable: 'always' } }).success).toBe(false);
    const table = (['rehire', 'return', 'keep'] as const).map((setting) => (['rehire', 'return', 'joiner', undefined] as const).map((reason) => newPasswordOnEnable(setting, reason)));
    expect(table).toEqual([
      [true, false, false, false],
      [true, true, false, false],
      [false, false, false, false],
    ]);
  });

  it('a rehire\'s enable writes the password, pwdLastSet 0 and the enable in ONE modify, says so, and never logs the password', async () => {
    const modifies: Array<Array<{ type: string; values: unknown[] }>> = [];
    const lines: string[] = [];
    const ad = connector(fakePool({}, modifies), undefined, lines);
    await expect(ad.setEnabled(GUID, true, {}, { reason: 'rehire' })).resolves.toEqual({ newPassword: true });
    expect(modifies).toHaveLength(1);
    expect(modifies[0]!.map((m) => m.type)).toEqual(['unicodePwd', 'pwdLastSet', 'userAccountControl']);
    expect(modifies[0]![1]!.values).toEqual(['0']);
    expect(modifies[0]![2]!.values).toEqual(['512']);
    const pwd = modifies[0]![0]!.values[0] as Buffer;
    const password = pwd.toString('utf16le').slice(1, -1);
    expect(password.length).toBeGreaterThanOrEqual(24);
    const logged = lines.join('\n');
    expect(logged).toContain('new initial password');
    expect(logged).not.toContain(password);
    expect(logged).not.toContain(pwd.toString('base64'));
  });

  it('a return from leave keeps the password by default, and gets a new one with passwordOnEnable: return', async () => {
    const kept: Array<Array<{ type: string; values: unknown[] }>> = [];
    await expect(connector(fakePool({}, kept)).setEnabled(GUID, true, {}, { reason: 'return' })).resolves.toEqual({});
    expect(kept.map((m) => m.map((c) => c.type))).toEqual([['userAccountControl']]);
    const reset: Array<Array<{ type: string; values: unknown[] }>> = [];
    await expect(connector(fakePool({}, reset), 'return').setEnabled(GUID, true, {}, { reason: 'return' })).resolves.toEqual({ newPassword: true });
    expect(reset.map((m) => m.map((c) => c.type))).toEqual([['unicodePwd', 'pwdLastSet', 'userAccountControl']]);
    const keep: Array<Array<{ type: string; values: unknown[] }>> = [];
    await connector(fakePool({}, keep), 'keep').setEnabled(GUID, true, {}, { reason: 'rehire' });
    expect(keep.map((m) => m.map((c) => c.type))).toEqual([['userAccountControl']]);
  });

  it('an account already enabled (a retry after the enable was applied) gets no second password; a disable never touches it', async () => {
    const modifies: Array<Array<{ type: string; values: unknown[] }>> = [];
    await expect(connector(fakePool({ userAccountControl: '512' }, modifies)).setEnabled(GUID, true, {}, { reason: 'rehire' })).resolves.toEqual({});
    expect(modifies).toEqual([]);
    await connector(fakePool({ userAccountControl: '512' }, modifies)).setEnabled(GUID, false, {}, { reason: 'rehire' });
    expect(modifies.map((m) => m.map((c) => c.type))).toEqual([['userAccountControl']]);
    expect(modifies[0]![0]!.values).toEqual(['514']);
  });
});
