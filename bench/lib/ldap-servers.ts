import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSamba } from '../../test/support/samba.js';
import { startSlapd } from '../../test/support/slapd.js';
import type { DirectoryServer } from './ldap-config.js';

/** A fresh directory server for one side of the benchmark. */
export interface FreshServer {
  readonly server: DirectoryServer;
  /** The server's process id, when known (slapd writes a pid file), to read its CPU time. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

export async function freshServer(kind: 'ldap' | 'ad', options: { readonly durable?: boolean } = {}): Promise<FreshServer> {
  if (kind === 'ad') {
    const samba = await startSamba();
    return {
      server: {
        kind, url: samba.url, bindDN: samba.bindDN, password: samba.password, ca: samba.ca,
        base: samba.rosterOU, peopleDn: `OU=People,${samba.rosterOU}`,
      },
      pid: () => undefined,
      stop: () => samba.stop(),
    };
  }
  const slapd = await startSlapd({ randomPort: true, durable: options.durable === true });
  return {
    server: { kind, url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, base: slapd.suffix, peopleDn: `ou=people,${slapd.suffix}` },
    pid: () => pidFrom(join(slapd.dir, 'slapd.pid')),
    stop: () => slapd.stop(),
  };
}

function pidFrom(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
