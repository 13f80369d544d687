import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throwaway CA and a server certificate it signed, for the private test
 * servers (slapd, Samba) that speak TLS on 127.0.0.1: `ca.pem`, `ca.key`,
 * `server.pem` and `server.key` in `dir`. The server certificate names
 * 127.0.0.1, localhost and `dnsNames`.
 */
export function makeTestCertificates(dir: string, commonName: string, dnsNames: readonly string[] = []): void {
  mkdirSync(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  const names = ['IP:127.0.0.1', ...[...dnsNames, 'localhost'].map((name) => `DNS:${name}`)].join(',');
  writeFileSync(at('server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${names}\n`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '3650', '-subj', '/CN=Roster Test CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${commonName}`]);
  openssl(['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '3650', '-extfile', at('server.ext')]);
}

function openssl(args: readonly string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`openssl could not run (apt-get install -y openssl): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed (${result.status}): ${result.stderr}`);
}

/** A server certificate other than the good one makeTestCertificates makes: for tests of what a client refuses. */
export interface ServerCertificateOptions {
  /** subjectAltName entries (`IP:127.0.0.1`, `DNS:ldap.example.com`); none: a certificate with a common name only. */
  readonly altNames: readonly string[];
  readonly commonName: string;
  /** Signed by itself rather than by the CA in `caDir`. */
  readonly selfSigned?: boolean;
  /** Valid until yesterday. */
  readonly expired?: boolean;
}

/**
 * `server.pem` and `server.key` in `dir` as `options` say, signed by the CA
 * makeTestCertificates left in `caDir` (`ca.pem`, `ca.key`) unless self-signed.
 */
export function makeServerCertificate(dir: string, caDir: string, options: ServerCertificateOptions): void {
  mkdirSync(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  const san = options.altNames.length === 0 ? '' : `subjectAltName=${options.altNames.join(',')}\n`;
  writeFileSync(at('server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n${san}`);
  // -days -1: notAfter a day before notBefore (now), so the certificate has expired.
  const days = options.expired === true ? '-1' : '3650';
  if (options.selfSigned === true) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.pem'), '-days', days, '-subj', `/CN=${options.commonName}`,
      ...(options.altNames.length === 0 ? [] : ['-addext', `subjectAltName=${options.altNames.join(',')}`])]);
    return;
  }
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${options.commonName}`]);
  openssl(['x509', '-req', '-in', at('server.csr'), '-CA', join(caDir, 'ca.pem'), '-CAkey', join(caDir, 'ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', days, '-extfile', at('server.ext')]);
}
