import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import { moveByHand, openWorld, person, sync, tearDown, type World } from './ldap-flows-world.js';

/**
 * review21: `roster reconcile` says which entries it found moved by hand
 * (users.placement: enforce), in its text and in `--json`. Before, the
 * report read "2 accounts read; 2 already linked, …" and the moves the next
 * plan makes came as a surprise (only the audit and `roster explain` had them).
 */
const connection = (placement: string) => `users:
  base: "ou=people,$S"
  dn: "uid={uid},ou={department},ou=people,$S"
  createOUs: true
  key: uid
  attributes: { email: mail, department: departmentNumber }
  placement: ${placement}
groups: { base: "ou=groups,$S", objectClass: groupOfNames, names: true, create: true }
disable: { strategy: move, ou: "ou=disabled,$S" }`;

async function handMoved(w: World): Promise<{ away: string; home: string }> {
  w.hr = [person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee' }), person({ employeeId: 'E2', givenName: 'Bob', familyName: 'Ray' })];
  expect((await sync(w)).result?.errors ?? []).toEqual([]);
  const s = w.slapd.suffix;
  await w.admin.add(`ou=Elsewhere,ou=people,${s}`, { objectClass: ['organizationalUnit'], ou: 'Elsewhere' });
  const home = `uid=ann.lee,ou=Engineering,ou=people,${s}`;
  const away = `uid=ann.lee,ou=Elsewhere,ou=people,${s}`;
  await moveByHand(w, home, away);
  return { away, home };
}

async function reconcileCli(w: World, ...args: string[]) {
  const captured = capturedIo({ cwd: w.dir });
  const code = await runCli(['node', 'roster', 'reconcile', '--config', join(w.dir, 'roster.yaml'), '--target', 'corp-ldap', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('review21: roster reconcile reports misplaced entries (enforce)', () => {
  let w: World;
  beforeAll(async () => { w = await openWorld(connection('enforce'), ''); });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('names the entry, where it is and where the next plan puts it; --json lists it; exit 0', async () => {
    const { away, home } = await handMoved(w);
    const text = await reconcileCli(w);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('corp-ldap: 2 accounts read; 2 already linked');
    const line = text.stdout.split('\n').find((l) => l.includes('misplaced:'));
    expect(line?.toLowerCase()).toContain(`(linked to e1) is at ${away}, placed at ${home}; the next plan moves it back (users.placement: enforce)`.toLowerCase());
    const json = await reconcileCli(w, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { misplaced: { identity: string; at: string; belongs: string }[] };
    expect(report.misplaced.map((m) => [m.identity, m.at.toLowerCase(), m.belongs.toLowerCase()])).toEqual([['E1', away.toLowerCase(), home.toLowerCase()]]);
    // Moved back by the next apply: the pass after it finds nothing misplaced.
    expect((await w.engine.apply(await w.engine.plan({ actor: 'test' }), { actor: 'test' })).errors).toEqual([]);
    const after = await reconcileCli(w);
    expect(after.stdout).not.toContain('misplaced:');
  });
});

describe('review21: roster reconcile with placement keep says nothing of hand moves', () => {
  let w: World;
  beforeAll(async () => { w = await openWorld(connection('keep'), ''); });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('an entry moved by hand is where it may stay: no misplaced line, an empty list in --json', async () => {
    await handMoved(w);
    expect((await reconcileCli(w)).stdout).not.toContain('misplaced');
    expect((JSON.parse((await reconcileCli(w, '--json')).stdout) as { misplaced: unknown[] }).misplaced).toEqual([]);
  });
});
