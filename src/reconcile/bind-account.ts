import type { TargetConfig } from '../config/types.js';
import { parseDn } from '../core/dn.js';
import type { TargetAccount } from '../core/types.js';

/**
 * The account Roster binds as is no orphan to act on. A service account kept
 * with the people (`uid=svc-roster,ou=people,…`, or `users.base` at the
 * suffix) is read like any entry and matches no one in HR: `orphans: disable`
 * moved it to the disabled OU (or removed its password), `delete` removed it,
 * one account among many, well under any percentage limit, and every later
 * run failed to bind. A pass still reports it; it plans nothing for it.
 *
 * The read does not carry an entry's DN, so the bind name is compared with
 * what it does carry: the leaf RDN's value with the account key when the
 * leaf names the key (`uid=svc-roster` with key uid), or with the attribute
 * the leaf names when the read carries it (`CN=svc-roster,…` and a mapped
 * cn); a bind name that is not a DN (a UPN `svc-roster@example.test`,
 * `EXAMPLE\svc-roster`) with the key; the whole name with any value. Case
 * and Unicode form aside. A false match only leaves an orphan alone, the
 * safe side.
 */
export function bindAccountTest(target: TargetConfig): (account: TargetAccount) => boolean {
  const bind = target.connection['bindDN'];
  if (typeof bind !== 'string' || bind.trim() === '') return () => false;
  const fold = (value: string): string => value.normalize('NFC').trim().toLowerCase();
  const keys = new Set([target.accountKey, usersKey(target)].filter((k): k is string => k !== undefined).map(fold));
  const names = bindKeyNames(bind, keys, fold);
  const leaf = leafOf(bind, fold);
  const whole = fold(bind);
  return (account) => {
    const key = texts(account.attributes[target.accountKey]).map(fold);
    if (key.some((value) => names.has(value))) return true;
    return Object.entries(account.attributes).some(([name, value]) => texts(value).some((text) => {
      const folded = fold(text);
      return folded === whole || (leaf !== undefined && fold(name) === leaf.type && folded === leaf.value);
    }));
  };
}

/** The bind DN's leaf (type and value, folded), for an account that carries that attribute (`CN=svc-roster,OU=Service,…` and a read `cn`). */
function leafOf(bind: string, fold: (value: string) => string): { readonly type: string; readonly value: string } | undefined {
  if (!bind.includes('=')) return undefined;
  try {
    const ava = parseDn(bind)[0]?.[0];
    return ava === undefined ? undefined : { type: fold(ava.type), value: fold(ava.value) };
  } catch {
    return undefined;
  }
}

/** The account key values a bind name stands for. */
function bindKeyNames(bind: string, keys: ReadonlySet<string>, fold: (value: string) => string): Set<string> {
  const names = new Set<string>();
  if (bind.includes('=')) {
    try {
      const leaf = parseDn(bind)[0] ?? [];
      for (const ava of leaf) if (keys.has(fold(ava.type))) names.add(fold(ava.value));
    } catch {
      // Not a DN after all: compared as a whole below.
    }
    return names;
  }
  const at = bind.lastIndexOf('@');
  const slash = bind.indexOf('\\');
  if (at > 0) names.add(fold(bind.slice(0, at)));
  if (slash >= 0) names.add(fold(bind.slice(slash + 1)));
  names.add(fold(bind));
  return names;
}

function usersKey(target: TargetConfig): string | undefined {
  const users = target.connection['users'];
  const key = typeof users === 'object' && users !== null ? (users as Record<string, unknown>)['key'] : undefined;
  return typeof key === 'string' ? key : undefined;
}

function texts(value: unknown): string[] {
  const values: readonly unknown[] = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
}
