import type { Threshold } from './types.js';

/**
 * Durations and thresholds as written in roster.yaml.
 * - duration: `immediately` (0), `never` (null), `30d`, `after 30d`, `12h`,
 *   `90m`, `45s`, `2w` → milliseconds.
 * - threshold: `5` → { count: 5 }, `"5%"` → { percent: 5 }.
 * Both return a string describing what was expected when the input is bad.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(?:after\s+)?(\d+(?:\.\d+)?)\s*([smhdw])$/;
export const DURATION_EXPECTED = 'expected a duration such as "30d", "after 30d", "12h", "90m", "immediately" or "never"';

export type ParsedDuration = { readonly ok: true; readonly ms: number | null } | { readonly ok: false; readonly message: string };

export function parseDuration(input: unknown): ParsedDuration {
  if (typeof input !== 'string') return { ok: false, message: DURATION_EXPECTED };
  const text = input.trim().toLowerCase();
  if (text === 'immediately') return { ok: true, ms: 0 };
  if (text === 'never') return { ok: true, ms: null };
  const match = DURATION.exec(text);
  const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  if (!match || unit === undefined) return { ok: false, message: DURATION_EXPECTED };
  return { ok: true, ms: Math.round(Number(match[1]) * unit) };
}

/** Default `safety.window`: one hour (docs/configuration.md, Safety holds). */
export const DEFAULT_SAFETY_WINDOW_MS = 3_600_000;

export const THRESHOLD_EXPECTED = 'expected a count (5) or a percentage ("5%")';
const THRESHOLD = /^(\d+(?:\.\d+)?)\s*(%?)$/;

export type ParsedThreshold = { readonly ok: true; readonly threshold: Threshold } | { readonly ok: false; readonly message: string };

export function parseThreshold(input: unknown): ParsedThreshold {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= 0
      ? { ok: true, threshold: { count: input } }
      : { ok: false, message: `${THRESHOLD_EXPECTED}; a count is a whole number >= 0` };
  }
  if (typeof input !== 'string') return { ok: false, message: THRESHOLD_EXPECTED };
  const match = THRESHOLD.exec(input.trim());
  if (!match) return { ok: false, message: THRESHOLD_EXPECTED };
  const value = Number(match[1]);
  if (match[2] === '%') {
    return value <= 100 ? { ok: true, threshold: { percent: value } } : { ok: false, message: 'a percentage must be between 0% and 100%' };
  }
  return Number.isInteger(value)
    ? { ok: true, threshold: { count: value } }
    : { ok: false, message: `${THRESHOLD_EXPECTED}; a count is a whole number >= 0` };
}
