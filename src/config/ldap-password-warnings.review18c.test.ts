import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfig, validateConfigText, type ConfigProblem } from './load.js';

/**
 * review18c: `users.passwordOnEnable: keep` with `disable.password: remove`
 * on an ldap target contradict each other (the disable took the password:
 * there is nothing to keep, and a rehire comes back with none). `roster
 * validate` and the engine's load say so as a warning, at the
 * passwordOnEnable key; the file stays valid.
 */
function yaml(target: { passwordOnEnable?: string; password?: string; secret?: string } = {}): string {
  const users = target.passwordOnEnable === undefined ? '{ base: "dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid }'
    : `{ base: "dc=example,dc=com", dn: "uid={uid},ou=people,dc=example,dc=com", key: uid, passwordOnEnable: ${target.passwordOnEnable} }`;
  const disable = `{ strategy: move, ou: "ou=disabled,dc=example,dc=com"${target.password === undefined ? '' : `, password: ${target.password}`} }`;
  return `sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ldap://127.0.0.1:3890
      bindDN: cn=admin,dc=example,dc=com
      password: ${target.secret ?? 'secret'}
      users: ${users}
      disable: ${disable}
    accountKey: uid
    attributes: { uid: identity.employeeId }
`;
}
const FILE = '/etc/roster/roster.yaml';
const texts = (warnings: readonly ConfigProblem[]) => warnings.map(formatProblem);

describe('review18c: passwordOnEnable: keep with disable.password: remove', () => {
  it('is a warning at users.passwordOnEnable that says why and what to set; the file stays valid', () => {
    const { config, problems, warnings } = validateConfigText(yaml({ passwordOnEnable: 'keep', password: 'remove' }), FILE, { env: {}, checkFields: false });
    expect(problems).toEqual([]);
    expect(config).toBeDefined();
    expect(texts(warnings)).toHaveLength(1);
    const [text] = texts(warnings);
    expect(text).toMatch(/^\/etc\/roster\/roster\.yaml:10:\d+: targets\[0\]\.connection\.users\.passwordOnEnable: keep has nothing to keep with disable\.password: remove/);
    expect(text).toContain('comes back enabled without a password');
    expect(text).toContain('passwordOnEnable: rehire');
  });

  it('no warning for the settings that agree', () => {
    for (const target of [{ passwordOnEnable: 'keep' }, { passwordOnEnable: 'keep', password: 'keep' }, { password: 'remove' },
      { passwordOnEnable: 'rehire', password: 'remove' }, { passwordOnEnable: 'return', password: 'remove' }]) {
      const { problems, warnings } = validateConfigText(yaml(target), FILE, { env: {}, checkFields: false });
      expect({ target, problems, warnings }).toEqual({ target, problems: [], warnings: [] });
    }
  });

  it('reaches the engine\'s load (onWarnings), and a secret in the file is never quoted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-pw-warn-'));
    try {
      writeFileSync(join(dir, 'hr.csv'), 'employeeId\nE1\n');
      writeFileSync(join(dir, 'roster.yaml'), yaml({ passwordOnEnable: 'keep', password: 'remove', secret: '${env:LDAP_PASSWORD}' }));
      const seen: ConfigProblem[] = [];
      await loadConfig(join(dir, 'roster.yaml'), { env: { LDAP_PASSWORD: 'Hunter2-Bind' }, onWarnings: (w) => seen.push(...w) });
      expect(seen.map((w) => w.path)).toEqual(['targets[0].connection.users.passwordOnEnable']);
      expect(JSON.stringify(seen)).not.toContain('Hunter2-Bind');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
