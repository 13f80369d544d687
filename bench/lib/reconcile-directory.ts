import type { Person } from '../../src/demo/index.js';
import { ldapLoadConfig, type DirectoryServer } from './ldap-config.js';

/**
 * The reconcile benchmark's world: a directory that already has people
 * (added with ldapadd, not by Roster) and the HR file Roster is introduced
 * with. Of `accounts` people, every fourth entry has no employeeNumber and a
 * mail in another case (linked by the mail rule), the others are linked by
 * employeeNumber. Besides them: HR people without an account, entries
 * nobody in HR has (orphans), and shared mailboxes whose mail two HR people
 * give (disputes, two candidates each). `expected` is what a first pass must
 * report; a second pass finds the same accounts already linked.
 */
export interface ReconcileWorld {
  /** The HR file's people. */
  readonly people: readonly Person[];
  /** One LDIF entry per directory entry (no trailing blank line). */
  readonly entries: readonly string[];
  readonly expected: { readonly accounts: number; readonly matched: number; readonly byMail: number; readonly orphans: number; readonly disputed: number };
}

export function reconcileWorld(generated: readonly Person[], accounts: number, peopleDn: string): ReconcileWorld {
  const orphans = Math.max(10, Math.round(accounts / 100));
  const disputes = Math.max(3, Math.round(accounts / 1000));
  const withoutAccount = Math.max(10, Math.round(accounts / 100));
  if (generated.length < accounts + withoutAccount + 2 * disputes) throw new Error('reconcileWorld: not enough people generated');
  const active = generated.map((p) => ({ ...p, status: 'active', endDate: '', startDate: '2020-01-06' }));
  const holders = active.slice(0, accounts);
  // Pairs of people who share a mailbox (and have no account of their own), then people with no account at all.
  const sharing = active.slice(accounts, accounts + 2 * disputes).map((p, i) => ({ ...p, email: `shared-${Math.floor(i / 2)}@example.com` }));
  const others = active.slice(accounts + 2 * disputes, accounts + 2 * disputes + withoutAccount);
  const entries: string[] = [];
  let byMail = 0;
  holders.forEach((p, i) => {
    const mailOnly = i % 4 === 0;
    if (mailOnly) byMail += 1;
    entries.push(entry(peopleDn, `u${i}`, {
      cn: `${p.givenName} ${p.familyName}`, sn: p.familyName, givenName: p.givenName, displayName: `${p.givenName} ${p.familyName}`,
      mail: mailOnly ? p.email.toUpperCase() : p.email, title: p.title, departmentNumber: p.department,
      ...(mailOnly ? {} : { employeeNumber: p.employeeId }),
    }));
  });
  for (let k = 0; k < orphans; k++) {
    entries.push(entry(peopleDn, `orphan${k}`, { cn: `Old Contractor ${k}`, sn: 'Contractor', mail: `orphan${k}@old.example`, employeeNumber: `X${k}` }));
  }
  for (let k = 0; k < disputes; k++) entries.push(entry(peopleDn, `shared${k}`, { cn: `Shared ${k}`, sn: 'Shared', mail: `shared-${k}@example.com` }));
  return {
    people: [...holders, ...sharing, ...others],
    entries,
    expected: { accounts: accounts + orphans + disputes, matched: accounts, byMail, orphans, disputed: disputes },
  };
}

/** LDIF: a value that is not plain printable ASCII (accented names) goes base64. */
function line(name: string, value: string): string {
  return /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ')
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function entry(peopleDn: string, uid: string, attributes: Readonly<Record<string, string>>): string {
  return [line('dn', `uid=${uid},${peopleDn}`), 'objectClass: inetOrgPerson', line('uid', uid), ...Object.entries(attributes).map(([n, v]) => line(n, v))].join('\n');
}

/**
 * LDIF for ldapmodify that moves `count` of the people's entries (spread over
 * them, linked by either rule) into a new OU below `peopleDn`, as an
 * administrator would by hand: still read (below users.base), but no longer
 * where users.dn (`uid={uid},peopleDn`) places them. Empty for 0.
 */
export function movedByHandLdif(peopleDn: string, accounts: number, count: number): string {
  const moved = Math.min(count, accounts);
  if (moved === 0) return '';
  const ou = `ou=moved by hand,${peopleDn}`;
  const changes = [`dn: ${ou}\nchangetype: add\nobjectClass: organizationalUnit\nou: moved by hand`];
  // Spread over the people; an offset of k % 4 mixes entries linked by employeeNumber with those linked by mail (every fourth).
  const step = Math.floor(accounts / moved);
  for (let k = 0; k < moved; k++) {
    const i = k * step + (step >= 4 ? k % 4 : 0);
    changes.push(`dn: uid=u${i},${peopleDn}\nchangetype: modrdn\nnewrdn: uid=u${i}\ndeleteoldrdn: 0\nnewsuperior: ${ou}`);
  }
  return `${changes.join('\n\n')}\n`;
}

/**
 * The load benchmark's ldap target, with match rules on employeeNumber (exact) then mail, orphans reported;
 * `placement` is its users.placement (keep, the default, or enforce).
 */
export function reconcileConfig(server: DirectoryServer, usernameExpression: string, pageSize: number, placement: 'keep' | 'enforce' = 'keep'): Record<string, unknown> {
  const config = ldapLoadConfig(server, 1, usernameExpression);
  const [target] = config.targets as Record<string, unknown>[];
  const base = target?.connection as Record<string, unknown>;
  const users = { ...(base.users as Record<string, unknown>), placement };
  const connection = { ...base, users, pageSize };
  return {
    ...config,
    targets: [{
      ...target, connection,
      reconcile: {
        match: [{ account: 'employeeNumber', identity: 'employeeId', normalise: 'exact' }, { account: 'email', identity: 'email' }],
        orphans: 'report',
      },
    }],
  };
}
