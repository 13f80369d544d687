const LF = 0x0a;
const CR = 0x0d;

/**
 * Maps a byte offset where a record starts to its 1-based physical line.
 * Line breaks before the record (blank lines the parser skipped) are stepped
 * over first. Offsets must be asked for in increasing order.
 */
export function lineLocator(buffer: Buffer): (offset: number) => number {
  let position = 0;
  let line = 1;
  return (offset: number): number => {
    let start = offset;
    while (start < buffer.length && (buffer[start] === LF || buffer[start] === CR)) start += 1;
    for (; position < start; position += 1) {
      if (buffer[position] === LF) line += 1;
    }
    return line;
  };
}
