import { BerReader } from 'ldapts';

/**
 * BER framing for the test LDAP servers and proxies (fake-ldap.ts,
 * ldap-link.ts, ldap-counter.ts, echo servers in tests): where one whole
 * LDAP message ends in a stream of chunks.
 */

/** The length of a BER element starting at `at` (tag, length and content), or undefined when not all of its header is there yet. */
export function elementLength(buffer: Buffer, at: number): { readonly header: number; readonly content: number } | undefined {
  if (buffer.length < at + 2) return undefined;
  const first = buffer[at + 1]!;
  if ((first & 0x80) === 0) return { header: 2, content: first };
  const bytes = first & 0x7f;
  if (buffer.length < at + 2 + bytes) return undefined;
  let content = 0;
  for (let i = 0; i < bytes; i++) content = content * 256 + buffer[at + 2 + i]!;
  return { header: 2 + bytes, content };
}

/** The length of the first whole BER element in `buffer`, or undefined while its header is incomplete. */
export function frameLength(buffer: Buffer): number | undefined {
  if (buffer.length < 2) return undefined;
  const reader = new BerReader(buffer);
  try {
    if (reader.readSequence() === null) return undefined;
  } catch {
    return undefined;
  }
  return reader.offset + reader.length;
}
