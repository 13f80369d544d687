/** Tiny terminal helpers: colour only on a TTY without NO_COLOR, aligned tables. */

import { cutToWidth, textWidth } from './text-width.js';

export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function createStyle(isTTY: boolean, env: NodeJS.ProcessEnv): Style {
  const colour = isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  if (!colour) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Visible width: the terminal columns the text takes without its colour codes (text-width.ts: wide and fullwidth characters two, combining marks none). */
export function visibleWidth(text: string): number {
  return textWidth(text.replace(ANSI, ''));
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], style?: Style): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => visibleWidth(row[column] ?? ''))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleWidth(cell))))
      .join('  ')
      .trimEnd();
  const head = line(header);
  return [style ? style.bold(head) : head, ...rows.map(line)].join('\n') + '\n';
}

/** Shorten a cell to `max` terminal columns with an ellipsis (a wide character counts two; a letter keeps its marks). */
export function truncate(text: string, max: number): string {
  return cutToWidth(text, max);
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

export function indent(text: string, by = '  '): string {
  return text.trimEnd().split('\n').map((line) => by + line).join('\n');
}
