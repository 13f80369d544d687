/**
 * A fast splitter for well-formed CSV, giving exactly the rows csv-parse
 * gives with the options parseCsv uses (`bom`, a one-character `delimiter`,
 * `relax_column_count`, blank lines kept, the record delimiter found at the
 * first unquoted line break: CRLF, LF or CR).
 *
 * It reads the UTF-8 bytes and decodes each field on its own, as csv-parse
 * does (so the strings are the same, and each is a compact string of its
 * own rather than a slice that keeps the whole file alive), but it finds the
 * field boundaries with a tight loop instead of csv-parse's general byte
 * state machine: most of the CPU of reading a large HR file.
 *
 * It handles only the regular shapes: fields quoted from their first byte,
 * `""` inside quotes, a closing quote followed by a delimiter, the record
 * delimiter or the end. On anything else it returns false and the caller
 * lets csv-parse read the file (dropping the rows it was given), so
 * csv-parse keeps deciding every irregular case and writing every error
 * message. csv-split.test.ts checks that the two agree.
 *
 * Rows go to `onRow` as they are found, so the caller can turn each into a
 * record at once: no list of every row of a large file is kept.
 */

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** The record delimiter: not yet seen, LF, CRLF or CR (csv-parse fixes it at the first unquoted line break). */
const UNKNOWN = 0;
const LF_BREAK = 1;
const CRLF_BREAK = 2;
const CR_BREAK = 3;
type Break = typeof UNKNOWN | typeof LF_BREAK | typeof CRLF_BREAK | typeof CR_BREAK;

/** Gives the rows of `bytes` (UTF-8) as csv-parse would, in order; false when csv-parse must read them. */
export function splitCsv(bytes: Buffer, delimiter: string, onRow: (row: string[]) => void): boolean {
  const separator = delimiter.charCodeAt(0);
  // One ASCII byte, none of the bytes the splitter treats specially; other delimiters go to csv-parse.
  if (delimiter.length !== 1 || separator >= 0x80 || separator === QUOTE || separator === CR || separator === LF) return false;
  const end = bytes.length;
  let brk: Break = UNKNOWN;
  let row: string[] = [];
  // The UTF-8 BOM csv-parse drops.
  let pos = end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (pos >= end) return true;
  for (;;) {
    // At the start of a field.
    let field: string;
    let at: number; // the byte after the field (its end, or after its closing quote)
    if (bytes[pos] === QUOTE) {
      field = '';
      let from = pos + 1;
      for (;;) {
        const quote = bytes.indexOf(QUOTE, from);
        if (quote === -1) return false; // never closed: csv-parse reports it
        if (bytes[quote + 1] === QUOTE) {
          field += bytes.toString('utf8', from, quote + 1); // "" is one quote
          from = quote + 2;
          continue;
        }
        field += bytes.toString('utf8', from, quote);
        at = quote + 1;
        break;
      }
    } else {
      at = pos;
      for (;;) {
        for (; at < end; at += 1) {
          const c = bytes[at];
          if (c === separator || c === CR || c === LF) break;
          if (c === QUOTE) return false; // a quote inside an unquoted field
        }
        // Once the record delimiter is known, only it ends a record: another CR or LF is part of the field.
        if (at >= end || brk === UNKNOWN || bytes[at] === separator || breakLength(bytes, at, brk) !== 0) break;
        at += 1;
      }
      field = bytes.toString('utf8', pos, at);
    }
    row.push(field);
    if (at >= end) {
      onRow(row);
      return true;
    }
    const c = bytes[at];
    if (c === separator) {
      pos = at + 1;
      if (pos >= end) { // a delimiter at the very end: one more, empty, field
        row.push('');
        onRow(row);
        return true;
      }
      continue;
    }
    if (brk === UNKNOWN) {
      if (c === CR) brk = bytes[at + 1] === LF ? CRLF_BREAK : CR_BREAK;
      else if (c === LF) brk = LF_BREAK;
    }
    const length = breakLength(bytes, at, brk);
    if (length === 0) return false; // something else after a closing quote
    onRow(row);
    row = [];
    pos = at + length;
    if (pos >= end) return true; // the last line break ends the last record: no empty one after it
  }
}

/** Length of the record delimiter at `at` (0: none there). */
function breakLength(bytes: Buffer, at: number, brk: Break): number {
  const c = bytes[at];
  switch (brk) {
    case LF_BREAK: return c === LF ? 1 : 0;
    case CR_BREAK: return c === CR ? 1 : 0;
    case CRLF_BREAK: return c === CR && bytes[at + 1] === LF ? 2 : 0;
    default: return 0;
  }
}
