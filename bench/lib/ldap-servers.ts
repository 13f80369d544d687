import { startSamba } from '../../test/support/samba.js';
import { startSlapd } from '../../test/support/slapd.js';
import type { DirectoryServer } from './ldap-config.js';

/** A fresh directory server for one side of the benchmark. */
export interface FreshServer {
  readonly server: DirectoryServer;
  stop(): Promise<void>;
}

export async function freshServer(kind: 'ldap' | 'ad'): Promise<FreshServer> {
  if (kind === 'ad') {
    const samba = await startSamba();
    return {
      server: {
        kind, url: samba.url, bindDN: samba.bindDN, password: samba.password, ca: samba.ca,
        base: samba.rosterOU, peopleDn: `OU=People,${samba.rosterOU}`,
      },
      stop: () => samba.stop(),
    };
  }
  const slapd = await startSlapd({ randomPort: true });
  return {
    server: { kind, url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, base: slapd.suffix, peopleDn: `ou=people,${slapd.suffix}` },
    stop: () => slapd.stop(),
  };
}
