/**
 * Exponential backoff with full jitter: a uniformly random delay in
 * [0, min(max, base * 2^(attempt-1))). `attempt` counts from 1 (the attempt
 * that just failed). Spreads retries of many jobs so they do not stampede.
 */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  const cap = Math.min(max, base * 2 ** exponent);
  return Math.floor(Math.min(Math.max(random(), 0), 1) * cap);
}

/** Strip credentials that could ride along in an error message (`scheme://user:password@host`, bearer tokens). */
export function redactMessage(message: string): string {
  return message
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, '$1:***@')
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***')
    .slice(0, 2000);
}
