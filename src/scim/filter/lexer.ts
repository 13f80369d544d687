import { invalidFilter } from './errors.js';

export type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'number' | 'word' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Raw text for words; the decoded value for strings; the source text for numbers. */
  readonly text: string;
  readonly offset: number;
}

const PUNCTUATION = new Set(['(', ')', '[', ']']);
const WORD_START = /[A-Za-z$_]/;
const WORD_CHAR = /[A-Za-z0-9$_:.\-]/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\r\n]/;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Splits a filter into tokens; the last token is always `end`. */
export function tokenize(text: string): readonly Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const ch = text[at] as string;
    if (WHITESPACE.test(ch)) {
      at += 1;
    } else if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, offset: at });
      at += 1;
    } else if (ch === '"') {
      const [value, next] = readString(text, at);
      tokens.push({ kind: 'string', text: value, offset: at });
      at = next;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = at;
      const match = NUMBER.exec(text);
      const end = match === null ? at : at + match[0].length;
      if (match === null || (end < text.length && WORD_CHAR.test(text[end] as string))) {
        throw invalidFilter(`malformed number near '${snippet(text, at)}'`, at);
      }
      tokens.push({ kind: 'number', text: match[0], offset: at });
      at = end;
    } else if (WORD_START.test(ch)) {
      let end = at + 1;
      while (end < text.length && WORD_CHAR.test(text[end] as string)) end += 1;
      tokens.push({ kind: 'word', text: text.slice(at, end), offset: at });
      at = end;
    } else {
      throw invalidFilter(`unexpected character '${ch}'`, at);
    }
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

/** Reads a JSON string literal starting at the opening quote; returns [value, offset after it]. */
function readString(text: string, start: number): [string, number] {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const ch = text[at] as string;
    if (ch === '"') return [value, at + 1];
    if (ch === '\\') {
      const escape = text[at + 1];
      if (escape === 'u') {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw invalidFilter('invalid \\u escape in string', at);
        if (hex === '0000') throw invalidFilter('\\u0000 is not allowed in a string', at);
        value += String.fromCharCode(parseInt(hex, 16));
        at += 6;
      } else if (escape !== undefined && ESCAPES[escape] !== undefined) {
        value += ESCAPES[escape];
        at += 2;
      } else {
        throw invalidFilter(`invalid escape '\\${escape ?? ''}' in string`, at);
      }
    } else if (ch < ' ') {
      throw invalidFilter('control character in string (escape it)', at);
    } else {
      value += ch;
      at += 1;
    }
  }
  throw invalidFilter('unterminated string', start);
}

/** A short excerpt of the filter from `offset`, for error messages. */
export function snippet(text: string, offset: number): string {
  const part = text.slice(offset, offset + 20);
  return offset + 20 < text.length ? `${part}…` : part;
}
