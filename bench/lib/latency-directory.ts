import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'ldapts';
import { equalityFilter } from '../../src/connectors/directory/escape.js';
import type { Engine } from '../../src/engine/types.js';
import { ldapLoadConfig, type DirectoryServer } from './ldap-config.js';
import { freshServer, type FreshServer } from './ldap-servers.js';

/**
 * The target side of the latency benchmark: the configuration for an ldap
 * (private slapd) or ad (Samba AD DC) target, and a probe that reads what an
 * account is in the target itself (the SQLite table, or the directory entry
 * found by the employee id it carries), not in Roster's store.
 */

export type LatencyTarget = 'sql' | 'ldap' | 'ad';

/** What the target holds for one person. */
export type AccountState = 'absent' | 'enabled' | 'disabled';

export interface AccountProbe {
  state(employeeId: string): Promise<AccountState>;
  close(): Promise<void>;
}

/** The disabled OU of the ldap target (slapd is seeded with it). */
function disabledOu(server: DirectoryServer): string {
  return `ou=disabled,${server.base}`;
}

/**
 * The directory load benchmark's target (ldap: DN uid={uid} below ou=people,
 * employeeNumber = the employee id; ad: sAMAccountName and employeeID = the
 * employee id), with leavers disabled at once: ldap with the `move` strategy
 * to ou=disabled, AD with its own userAccountControl bit. Four connections;
 * the initial load keeps 32 operations in flight on slapd, 4 on Samba (which
 * serialises its writes and slows down with more at once).
 */
export function latencyDirectoryConfig(server: DirectoryServer, usernameExpression: string): Record<string, unknown> {
  const connections = 4;
  const config = ldapLoadConfig(server, connections, usernameExpression, server.kind === 'ad' ? connections : connections * 8);
  const [target] = config.targets as Record<string, unknown>[];
  const connection = target?.connection as Record<string, unknown>;
  const disable = server.kind === 'ldap' ? { disable: { strategy: 'move', ou: disabledOu(server) } } : {};
  return {
    ...config,
    targets: [{ ...target, connection: { ...connection, ...disable }, leaver: { disable: 'immediately', delete: 'after 30d' }, onLeave: 'disable' }],
  };
}

/** A fresh directory server for the run; its bind password goes to the environment the config reads it from. */
export async function directoryServer(kind: 'ldap' | 'ad'): Promise<FreshServer> {
  const fresh = await freshServer(kind);
  process.env.ROSTER_BENCH_LDAP_PASSWORD = fresh.server.password;
  return fresh;
}

/**
 * Reads the entry carrying the employee id (employeeNumber on ldap,
 * employeeID on AD) over its own connection: disabled when it is below
 * ou=disabled (ldap) or has ACCOUNTDISABLE (0x2) in userAccountControl (AD).
 */
export async function directoryProbe(server: DirectoryServer): Promise<AccountProbe> {
  const client = new Client({ url: server.url, tlsOptions: server.ca === undefined ? undefined : { ca: server.ca } });
  await client.bind(server.bindDN, server.password);
  const idAttribute = server.kind === 'ad' ? 'employeeID' : 'employeeNumber';
  const disabledSuffix = `,${disabledOu(server)}`.toLowerCase();
  return {
    async state(employeeId) {
      const { searchEntries } = await client.search(server.base, {
        scope: 'sub', filter: equalityFilter(idAttribute, employeeId), attributes: ['userAccountControl'],
      });
      if (searchEntries.length === 0) return 'absent';
      if (searchEntries.length > 1) throw new Error(`${searchEntries.length} entries carry ${idAttribute}=${employeeId}`);
      const entry = searchEntries[0]!;
      if (server.kind === 'ad') {
        const flags = Number(String(entry.userAccountControl));
        if (!Number.isInteger(flags)) throw new Error(`${entry.dn} has no readable userAccountControl`);
        return (flags & 0x2) !== 0 ? 'disabled' : 'enabled';
      }
      return entry.dn.toLowerCase().endsWith(disabledSuffix) ? 'disabled' : 'enabled';
    },
    close: () => client.unbind().catch(() => undefined),
  };
}

/** The demo's sql target: the users row of the person's linked account (its `active` column). */
export function sqlProbe(engine: Engine, workspaceDir: string): AccountProbe {
  const target = engine.config.targets[0]!;
  const users = new Database(join(workspaceDir, 'app.db'), { readonly: true });
  const isActive = users.prepare('SELECT active FROM users WHERE username = ?');
  return {
    async state(employeeId) {
      const link = await engine.store.accounts.get(target.id, employeeId);
      const row = link === undefined ? undefined : isActive.get(link.accountId) as { active: unknown } | undefined;
      if (row === undefined) return 'absent';
      return Number(row.active) === 0 ? 'disabled' : 'enabled';
    },
    close: async () => { users.close(); },
  };
}
