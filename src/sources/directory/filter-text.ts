import { FilterParser } from 'ldapts';
import { RosterError } from '../../core/errors.js';

/**
 * A source's `filter` as ldapts must be given it. RFC 4515 escapes are
 * bytes: `(departmentNumber=Z\c3\bcrich)` asks for "Zürich" (UTF-8 c3 bc).
 * ldapts 8 reads each `\xx` of filter text as the character U+00xx and
 * sends the value UTF-8 encoded, so `\c3\bc` would reach the directory as
 * c3 83 c2 bc ("Ã¼") and the filter would match nobody: a full pass of
 * zero entries. Escapes of bytes below 0x80 mean the same either way and
 * are kept as written (`\28`, `\2a`, `\5c`, `\00` stay data, not syntax);
 * runs of escaped bytes that are UTF-8 text become the characters they
 * encode, which ldapts sends as those very bytes. Escaped bytes that are
 * not UTF-8 text (a binary value) cannot be sent in a filter given as text:
 * refused, naming the source, rather than matching something else; so is
 * text that is not one filter.
 */
export function filterForLdapts(sourceId: string, filter: string): string {
  const text = filter.includes('\\') ? filter.replace(/(?:\\[0-9A-Fa-f]{2})+/g, (run) => decodeRun(sourceId, filter, run)) : filter;
  try {
    // `(a=b)(c=d)` has balanced parentheses but is two filters: ldapts refuses it in a full pass, while an incremental
    // pass's `(&(a=b)(c=d)(modifyTimestamp>=...))` would take it. Refused for every pass, with a clear error.
    FilterParser.parseString(text);
  } catch (error) {
    throw new RosterError('config.invalid', `source "${sourceId}": connection.filter ${filter} is not one LDAP filter (RFC 4515): `
      + `${error instanceof Error ? error.message : String(error)}; join several with (&...) or (|...)`);
  }
  return text;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The length of the UTF-8 sequence a lead byte starts, or 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function decodeRun(sourceId: string, filter: string, run: string): string {
  const bytes = [...run.matchAll(/\\([0-9A-Fa-f]{2})/g)].map((m) => Number.parseInt(m[1]!, 16));
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      out += run.slice(i * 3, i * 3 + 3);
      i += 1;
      continue;
    }
    const length = sequenceLength(byte);
    let text: string | undefined;
    if (length > 0 && i + length <= bytes.length) {
      try {
        text = UTF8.decode(Uint8Array.from(bytes.slice(i, i + length)));
      } catch {
        text = undefined;
      }
    }
    if (text === undefined) {
      throw new RosterError('config.invalid', `source "${sourceId}": the filter ${filter} escapes bytes that are not UTF-8 text (${run}); `
        + 'a binary value cannot be matched by a filter written as text');
    }
    out += text;
    i += length;
  }
  return out;
}
