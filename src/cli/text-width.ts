import { eastAsianWidth } from 'get-east-asian-width';

/**
 * How many terminal columns a text takes, as a terminal draws it: East Asian
 * wide and fullwidth characters (UAX #11, from get-east-asian-width: `李`,
 * `リー`, the `ー` and `・` of Katakana names, `Ａ`) take two, combining marks
 * none (a decomposed `Zoë` takes three), an emoji two. It measures by
 * grapheme cluster, as string-width does, so a base and its marks, a flag or
 * a ZWJ sequence count once; unlike string-width it segments only texts that
 * have something to join (see JOINS), as plan tables are large.
 */

/** A cluster drawn in no column: only marks, format and control characters, or ignorables (a stray ZWJ, a variation selector). */
const INVISIBLE = /^(?:\p{Mark}|\p{Cc}|\p{Cf}|\p{Default_Ignorable_Code_Point})+$/u;
/** An emoji drawn as a picture: one that is by default, or a pictograph asked to be one (U+FE0F) or joined to others (ZWJ). */
const EMOJI = /^\p{Emoji_Presentation}|^\p{Extended_Pictographic}.*[\u{fe0f}\u{200d}]/u;
/**
 * Printable ASCII and Latin up to U+02FF only (`Müller`, `Łukasz`, `Țărână`):
 * one column each, as most cells of most tables are; combining marks start
 * at U+0300.
 */
const NARROW = /^[\x20-\x7e\xa0-\u02ff]*$/;
/**
 * What joins code points into one cluster: marks, ZWJ, variation selectors,
 * regional indicators (flags), skin tones, tags, Hangul vowel and final
 * jamo. A text without any is measured code point by code point: segmenting
 * costs some 25 µs a cell, too much for a plan table of 100,000 changes
 * (every update's cell has its `→`) measured twice.
 */
const JOINS = /[\p{Mark}\u200d\ufe00-\ufe0f\u1160-\u11ff\u{1f1e6}-\u{1f1ff}\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]/u;

let segmenter: Intl.Segmenter | undefined;

function clusterWidth(cluster: string): number {
  const code = cluster.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x300 && (code < 0x7f || code >= 0xa0) && cluster.length === 1) return 1;
  if (INVISIBLE.test(cluster)) return 0;
  if (EMOJI.test(cluster)) return 2;
  return eastAsianWidth(code);
}

function* clusters(text: string): Iterable<string> {
  if (!JOINS.test(text)) {
    yield* text;
    return;
  }
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of segmenter.segment(text)) yield segment;
}

/** Columns `text` takes in a terminal (no escape sequences expected: strip them first). */
export function textWidth(text: string): number {
  if (NARROW.test(text)) return text.length;
  let width = 0;
  // Without joiners, code point by code point (no generator: this is the hot path of a large table).
  if (!JOINS.test(text)) for (const char of text) width += clusterWidth(char);
  else for (const cluster of clusters(text)) width += clusterWidth(cluster);
  return width;
}

/** `text` cut to at most `max` columns, whole clusters only (a mark stays with its letter), `…` taking the last column. */
export function cutToWidth(text: string, max: number): string {
  if (textWidth(text) <= max) return text;
  let kept = '';
  let width = 0;
  for (const cluster of clusters(text)) {
    const next = clusterWidth(cluster);
    if (width + next > max - 1) break;
    kept += cluster;
    width += next;
  }
  return kept + '…';
}
