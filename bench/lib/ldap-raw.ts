import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RosterError } from '../../src/core/errors.js';
import type { DirectoryServer } from './ldap-config.js';

/**
 * The raw side of the directory load benchmark: the entries Roster created,
 * exported with ldapsearch (user attributes only), split into C LDIF files
 * and loaded by C parallel `ldapadd` processes (one connection each).
 */

const AD_ATTRIBUTES = ['objectClass', 'sAMAccountName', 'userPrincipalName', 'givenName', 'sn', 'displayName', 'mail', 'title', 'department', 'employeeID'];

function tlsEnv(server: DirectoryServer, dir: string): NodeJS.ProcessEnv {
  if (server.ca === undefined) return process.env;
  const file = join(dir, 'ca.pem');
  writeFileSync(file, server.ca);
  return { ...process.env, LDAPTLS_CACERT: file };
}

/** The people under peopleDn as LDIF entries (one string each, no trailing blank line). */
export function exportEntries(server: DirectoryServer, dir: string): string[] {
  const filter = server.kind === 'ad' ? '(&(objectCategory=person)(objectClass=user))' : '(objectClass=inetOrgPerson)';
  const attributes = server.kind === 'ad' ? AD_ATTRIBUTES : ['*'];
  const result = spawnSync('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-x', '-H', server.url, '-D', server.bindDN, '-w', server.password,
    '-E', 'pr=1000/noprompt', '-b', server.peopleDn, '-s', 'one', filter, ...attributes], { encoding: 'utf8', env: tlsEnv(server, dir), maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new RosterError('internal', `ldapsearch failed (${result.status}): ${result.stderr}`);
  // Split at each dn: line (page boundaries of a paged search are not always a blank line); no line wrapping, so a value never starts a line.
  return result.stdout.split(/\n+(?=dn::? )/).map((e) => e.replace(/^#.*$/gm, '').trim()).filter((e) => e.startsWith('dn:'));
}

/** AD: what Roster sets besides the attributes (enabled account, a password set over LDAPS, change at next logon). */
export function withAdAccountFields(entry: string, index: number): string {
  const password = Buffer.from(`"Raw-Bench-Passw0rd!${index}"`, 'utf16le').toString('base64');
  const objectClasses = /^objectClass:.*$/gim;
  const body = entry.replace(objectClasses, '').replace(/\n{2,}/g, '\n').trim();
  return `${body}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\nuserAccountControl: 512\nunicodePwd:: ${password}\npwdLastSet: 0`;
}

/** Write the entries round-robin into `parts` LDIF files. */
export function splitLdif(entries: readonly string[], parts: number, dir: string): string[] {
  const chunks: string[][] = Array.from({ length: parts }, () => []);
  entries.forEach((entry, i) => chunks[i % parts]?.push(entry));
  return chunks.map((chunk, i) => {
    const file = join(dir, `raw-${i}.ldif`);
    writeFileSync(file, `${chunk.join('\n\n')}\n`);
    return file;
  });
}

function ldapadd(server: DirectoryServer, file: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ldapadd', ['-x', '-H', server.url, '-D', server.bindDN, '-w', server.password, '-f', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new RosterError('internal', `ldapadd ${file} failed (${code}): ${stderr.slice(0, 500)}`))));
  });
}

/** C ldapadd processes at once, one file each; resolves when all are done. */
export async function loadInParallel(server: DirectoryServer, files: readonly string[], dir: string): Promise<void> {
  const env = tlsEnv(server, dir);
  await Promise.all(files.map((file) => ldapadd(server, file, env)));
}

/** One ldapmodify of an LDIF file (changes by hand, as an administrator makes them); resolves when it is done. */
export function ldapmodify(server: DirectoryServer, file: string, dir: string): Promise<void> {
  const env = tlsEnv(server, dir);
  return new Promise((resolve, reject) => {
    const child = spawn('ldapmodify', ['-x', '-H', server.url, '-D', server.bindDN, '-w', server.password, '-f', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new RosterError('internal', `ldapmodify ${file} failed (${code}): ${stderr.slice(0, 500)}`))));
  });
}
