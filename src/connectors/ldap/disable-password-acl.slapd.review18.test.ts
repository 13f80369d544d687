import { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';

/**
 * review18: what docs/directories.md says stops a bind with `move` and
 * `password: keep`: an ACL that refuses `auth` on userPassword below the
 * disabled OU, placed before the rule that lets users bind.
 */
const SUFFIX = 'dc=example,dc=com';
const fx = useSlapd({
  suffix: SUFFIX,
  acl: [`to dn.subtree="ou=disabled,${SUFFIX}" attrs=userPassword by * none`, 'to attrs=userPassword by anonymous auth by * none'],
});

async function bind(dn: string, password: string): Promise<string> {
  const client = new Client({ url: fx.slapd.url });
  try {
    await client.bind(dn, password);
    return 'ok';
  } catch (error) {
    return `${(error as Error).constructor.name}:${String((error as { code?: unknown }).code)}`;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

describe('review18: move with an ACL on the disabled OU', () => {
  it('the moved entry keeps its password (keep) and the server refuses the bind; enabled again it binds', async () => {
    const connector = fx.connect({
      users: { base: SUFFIX, dn: `uid={uid},ou=people,${SUFFIX}`, key: 'uid', attributes: { password: 'userPassword' }, defaults: { cn: '{uid}', sn: '{uid}' } },
      disable: { strategy: 'move', ou: `ou=disabled,${SUFFIX}` },
    });
    const created = await connector.create({ attributes: { uid: 'acl.mv', password: 'Joiner-Pass-1' }, enabled: true });
    expect(await bind(`uid=acl.mv,ou=people,${SUFFIX}`, 'Joiner-Pass-1')).toBe('ok');
    await connector.setEnabled(created.accountId, false);
    const { searchEntries } = await fx.admin.search(`uid=acl.mv,ou=disabled,${SUFFIX}`, { scope: 'base', attributes: ['userPassword'] });
    expect(searchEntries[0]?.userPassword).toBe('Joiner-Pass-1');
    expect(await bind(`uid=acl.mv,ou=disabled,${SUFFIX}`, 'Joiner-Pass-1')).toBe('InvalidCredentialsError:49');
    await connector.setEnabled(created.accountId, true, {}, { reason: 'return' });
    expect(await bind(`uid=acl.mv,ou=people,${SUFFIX}`, 'Joiner-Pass-1')).toBe('ok');
  });
});
