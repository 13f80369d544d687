import { Client } from 'ldapts';
import { EncodedAttribute } from '../../src/connectors/directory/encoded-attribute.js';
import { RosterError } from '../../src/core/errors.js';
import type { DirectoryServer } from './ldap-config.js';

/**
 * The client side of the directory load benchmark: the same entries added by
 * a bare ldapts client (the library Roster's connectors use) over the same
 * number of connections with the same operations in flight, and nothing else:
 * no HR file, no plan, no queue, no audit. What this reaches is as fast as
 * Roster's directory writes can go in Node on this machine.
 */

export interface LdifEntry {
  readonly dn: string;
  readonly attributes: ReadonlyMap<string, string[]>;
}

/** One exported LDIF entry (`name: value` and `name:: base64` lines, no wrapping) as a DN and its attributes. */
export function parseLdifEntry(text: string): LdifEntry {
  let dn: string | undefined;
  const attributes = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RosterError('internal', `not an LDIF line: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon);
    const base64 = line[colon + 1] === ':';
    const raw = line.slice(colon + (base64 ? 2 : 1)).trimStart();
    const value = base64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (name.toLowerCase() === 'dn') dn = value;
    else attributes.set(name, [...(attributes.get(name) ?? []), value]);
  }
  if (dn === undefined) throw new RosterError('internal', 'an LDIF entry without a dn');
  return { dn, attributes };
}

/** Add every entry over `connections` bound clients, `inFlight` adds under way at once in all; resolves when all are added. */
export async function addWithClient(server: DirectoryServer, entries: readonly LdifEntry[], connections: number, inFlight: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: connections }, async () => {
    const client = new Client({ url: server.url, tlsOptions: server.ca === undefined ? undefined : { ca: server.ca } });
    await client.bind(server.bindDN, server.password);
    return client;
  }));
  try {
    let next = 0;
    const lanes = Array.from({ length: Math.max(connections, inFlight) }, async (_, lane) => {
      const client = clients[lane % clients.length] as Client;
      for (let i = next++; i < entries.length; i = next++) {
        const entry = entries[i] as LdifEntry;
        await client.add(entry.dn, [...entry.attributes].map(([name, values]) => new EncodedAttribute(name, values)));
      }
    });
    await Promise.all(lanes);
  } finally {
    await Promise.all(clients.map((client) => client.unbind().catch(() => undefined)));
  }
}
