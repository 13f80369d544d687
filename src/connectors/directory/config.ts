import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { RosterError } from '../../core/errors.js';
import type { Logger } from '../types.js';
import { isAttributeName } from './escape.js';
import { parseDn } from './dn.js';
import { booleanField, numberField } from '../../config/values.js';

/** An LDAP attribute name (or OID): nothing that could change a filter or a DN. */
export const attributeName = z.string().refine(isAttributeName, 'must be an LDAP attribute name (letters, digits, hyphens)');

/** A DN that parses (RFC 4514). */
export const dnString = z.string().min(1).refine((dn) => {
  try {
    return parseDn(dn).length > 0;
  } catch {
    return false;
  }
}, 'must be a distinguished name such as ou=people,dc=example,dc=com');

export const tlsSchema = z.object({
  /** PEM text, or a path to a PEM file (relative to the config file). */
  ca: z.string().optional(),
  rejectUnauthorized: booleanField().default(true),
  /** The name the server certificate is checked against, when it differs from the URL's host. */
  servername: z.string().optional(),
}).strict();

/** What every directory target's `connection:` block starts with. */
export const connectionFields = {
  url: z.string().regex(/^ldaps?:\/\/[^/]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]'),
  bindDN: z.string().min(1),
  /** Use ${env:NAME} or a file reference in roster.yaml: it is never logged. */
  password: z.string(),
  startTLS: booleanField().default(false),
  tls: tlsSchema.optional(),
  poolSize: numberField(z.number().int().min(1).max(32)).default(4),
  timeoutMs: numberField(z.number().int().positive()).default(30_000),
  connectTimeoutMs: numberField(z.number().int().positive()).default(5_000),
  /** Entries per page of a paged search. */
  pageSize: numberField(z.number().int().min(1).max(10_000)).default(500),
};

/** node:tls options from the `tls:` block; a CA given as a path is read (once, here) relative to baseDir. */
export function tlsOptions(tls: z.infer<typeof tlsSchema> | undefined, baseDir: string): ConnectionOptions | undefined {
  if (tls === undefined) return undefined;
  const path = tls.ca === undefined || tls.ca.includes('-----BEGIN') ? undefined : isAbsolute(tls.ca) ? tls.ca : resolve(baseDir, tls.ca);
  const ca = path === undefined ? tls.ca : readCa(path);
  if (ca !== undefined) assertCertificates(ca, path);
  return { ca, rejectUnauthorized: tls.rejectUnauthorized, servername: tls.servername };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new RosterError('config.invalid', `connection.tls.ca: cannot read the CA file ${path} (${typeof code === 'string' ? code : 'error'})`, { cause: error });
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * A CA that holds no certificate Node can read (an empty file, a key, DER,
 * PEM text whose line breaks were lost in an environment variable) is not
 * an error to node:tls: it trusts nothing (or, for empty text, the public
 * CAs), and every connection fails with "self-signed certificate in
 * certificate chain", which points at the server. Said here instead.
 */
function assertCertificates(ca: string, path: string | undefined): void {
  const readable = (ca.match(PEM_CERTIFICATE) ?? []).filter((block) => {
    try {
      return new X509Certificate(block) !== undefined;
    } catch {
      return false;
    }
  });
  const unreadable = (ca.match(PEM_CERTIFICATE) ?? []).length - readable.length;
  if (readable.length > 0 && unreadable === 0) return;
  const where = path === undefined ? 'the PEM text' : `the CA file ${path}`;
  throw new RosterError('config.invalid', unreadable > 0
    ? `connection.tls.ca: ${where} holds ${unreadable === 1 ? 'a certificate' : `${unreadable} certificates`} that cannot be read (cut short, or line breaks lost)`
    : `connection.tls.ca: ${where} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate that signed the directory's certificate, in PEM`);
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/i;

/** What an insecure connection setting is, by the key it is set with (`tls.rejectUnauthorized`, `url`). */
export interface InsecureSetting {
  readonly key: 'tls.rejectUnauthorized' | 'url';
  readonly message: string;
}

/**
 * The settings of a connection that do not protect the bind password: TLS
 * with certificate checks turned off (anyone on the path can pose as the
 * directory and read it), or plain ldap:// to another machine. Said when a
 * connector or source starts (warnInsecureConnection) and by `roster
 * validate` (config/connection-warnings.ts).
 */
export function insecureSettings(connection: {
  readonly url: string; readonly startTLS?: boolean | undefined; readonly tls?: { readonly rejectUnauthorized?: boolean | undefined } | undefined;
}): InsecureSetting[] {
  const found: InsecureSetting[] = [];
  const encrypted = connection.url.startsWith('ldaps:') || connection.startTLS === true;
  if (encrypted && connection.tls?.rejectUnauthorized === false) {
    found.push({ key: 'tls.rejectUnauthorized', message: 'tls.rejectUnauthorized is false: the directory\'s certificate is not checked, so anyone on the network path can pose as it '
      + 'and read the bind password and every value written; set tls.ca instead (for a lab only)' });
  }
  const host = /^ldaps?:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)/.exec(connection.url)?.[1] ?? '';
  if (!encrypted && !LOOPBACK.test(host)) {
    found.push({ key: 'url', message: 'the connection is not encrypted (ldap:// without startTLS): the bind password and every value written cross the network in clear; '
      + 'use ldaps:// or startTLS: true' });
  }
  return found;
}

/** insecureSettings, logged as warnings when a connector or source starts. */
export function warnInsecureConnection(connection: Parameters<typeof insecureSettings>[0], log: Pick<Logger, 'warn'>, targetId: string): void {
  for (const { message } of insecureSettings(connection)) log.warn(message, { target: targetId });
}
