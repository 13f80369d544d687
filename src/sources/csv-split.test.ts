import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { splitCsv } from './csv-split.js';

/** What parseCsv got before the fast splitter: csv-parse on the decoded file, the reference. */
function csvParse(bytes: Buffer, delimiter: string): string[][] | Error {
  try {
    return parse(bytes.toString('utf8'), { bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    return error as Error;
  }
}

/** The rows splitCsv gives, or undefined when it leaves the input to csv-parse. */
function rowsOf(bytes: Buffer, delimiter: string): string[][] | undefined {
  const rows: string[][] = [];
  return splitCsv(bytes, delimiter, (row) => rows.push(row)) ? rows : undefined;
}

const split = (text: string, delimiter = ',') => rowsOf(Buffer.from(text), delimiter);

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('splitCsv', () => {
  it('reads plain, quoted and blank lines like csv-parse', () => {
    const cases = [
      '', '\uFEFF', 'a', 'a,b\nc,d\n', 'a,b\r\nc,d', 'a,b\rc,d\r', '\uFEFFa,b\n\n\nc,\n', 'a,\n,b,', 'a,"b,c"\n"d""e",""\n',
      '"x\r\ny",z\r\nw\n,v\r\n', 'a\nb\rc\r\n', 'a\r\nb\nc\rd\r\n', '"a"\n"b"', ',,\n,', 'é,ü\n', 'Thảo,"Đặng, ""Mỹ"""\n',
    ];
    for (const text of cases) expect(split(text), JSON.stringify(text)).toEqual(csvParse(Buffer.from(text), ','));
  });

  it('decodes bytes that are not UTF-8 as the decoded file did (U+FFFD), BOM-like bytes included', () => {
    for (const bytes of [[0x61, 0xc3, 0x2c, 0xff, 0x0a], [0xff, 0xfe, 0x61, 0x2c, 0x62], [0x22, 0xe2, 0x82, 0x22, 0x2c, 0xf0, 0x9f]]) {
      const buffer = Buffer.from(bytes);
      expect(rowsOf(buffer, ','), JSON.stringify(bytes)).toEqual(csvParse(buffer, ','));
    }
  });

  it('leaves irregular text to csv-parse', () => {
    for (const text of ['a"b,c', '"a"b,c', '"abc', '"a""', 'a\n"b"\rc', '"a"\u0000,b']) {
      expect(split(text), JSON.stringify(text)).toBeUndefined();
    }
    expect(split('a;b', ';;')).toBeUndefined();
    expect(split('a§b', '§')).toBeUndefined();
  });

  it('agrees with csv-parse on random input whenever it reads it', () => {
    const pieces = ['a', 'b', ' ', ',', ';', '\t', '"', '""', '\r', '\n', '\r\n', 'é', '\uFEFF', '\u0000', '\xff', '\xc3', '\xe2\x82']
      .map((piece) => Buffer.from(piece, /[\xc3\xe2\xff]/.test(piece) ? 'latin1' : 'utf8'));
    const next = random(20261127);
    let read = 0;
    for (let round = 0; round < 20_000; round += 1) {
      const delimiter = [',', ';', '\t'][round % 3]!;
      const parts: Buffer[] = next() < 0.1 ? [Buffer.from('\uFEFF')] : [];
      const length = Math.floor(next() * 24);
      for (let i = 0; i < length; i += 1) parts.push(pieces[Math.floor(next() * pieces.length)]!);
      const bytes = Buffer.concat(parts);
      const fast = rowsOf(bytes, delimiter);
      if (fast === undefined) continue;
      read += 1;
      expect(fast, JSON.stringify({ bytes: [...bytes], delimiter })).toEqual(csvParse(bytes, delimiter));
    }
    expect(read).toBeGreaterThan(5_000); // the comparison covered many inputs, not only the trivial ones
  });
});
