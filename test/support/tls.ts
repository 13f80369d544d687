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
