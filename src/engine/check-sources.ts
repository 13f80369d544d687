import type { RosterConfig, SourceConfig } from '../config/types.js';
import { toRosterError } from '../core/errors.js';
import { checkSource } from '../sources/check.js';
import { CHECK_SLOW_MS, CHECK_TIMEOUT_MS, MAX_TIMER_MS } from './check-targets.js';
import { missingFor, missingSecretsError, sources } from './missing-secrets.js';
import type { CheckTargetsOptions } from './types.js';

/** One source's check, as `roster status --check` reports it (the same fields as a TargetCheck, plus `nothing`). */
export interface SourceCheck {
  readonly source: string;
  readonly type: SourceConfig['type'];
  readonly ok: boolean;
  /** push / scim: nothing was checked, and why (ok is true). */
  readonly nothing?: string;
  readonly code?: string;
  readonly message?: string;
  readonly ms?: number;
  readonly slow?: true;
  readonly timedOut?: true;
}

const TIMEOUT_TEXT = /timed out|timeout|ETIMEDOUT/i;

/**
 * Every source's check (sources/check.ts), all at once, each timed as
 * checkTargets times a target's: one with no answer after `timeoutMs` is
 * reported as timed out and abandoned (its connection closed at once), one
 * that passed in `slowMs` or more is slow. A source whose connection secret
 * is missing fails with the error naming the variable, and is not opened.
 */
export function checkSources(config: RosterConfig, options: CheckTargetsOptions = {}): Promise<SourceCheck[]> {
  const timeoutMs = Math.min(options.timeoutMs ?? CHECK_TIMEOUT_MS, MAX_TIMER_MS);
  const slowMs = options.slowMs ?? CHECK_SLOW_MS;
  return Promise.all(config.sources.map(async (source): Promise<SourceCheck> => {
    const base = { source: source.id, type: source.type };
    const missing = missingFor(config, sources([source.id]));
    if (missing.length > 0) {
      const error = missingSecretsError(missing);
      return { ...base, ok: false, ms: 0, code: error.code, message: error.message };
    }
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const abandon = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const check = Promise.resolve()
      .then(() => checkSource(source, { baseDir: config.baseDir, signal: abandon.signal }))
      .then((nothing) => ({ nothing }), (error: unknown) => ({ error: error ?? new Error('check failed') }));
    try {
      const outcome = await Promise.race([check, deadline]);
      const ms = elapsed();
      if (outcome === 'timeout') {
        abandon.abort();
        const where = source.connection === undefined ? '' : `; check connection.url (${source.connection.url.replace(/\/\/[^/@]*@/, '//')}) and that the directory answers there`;
        return {
          ...base, ok: false, ms, timedOut: true, code: 'source.unavailable',
          message: `source ${source.id}: no answer within ${timeoutMs} ms (the check was abandoned; --check-timeout waits longer)${where}`,
        };
      }
      if ('error' in outcome) {
        const failure = toRosterError(outcome.error, 'source.unavailable');
        return { ...base, ok: false, ms, ...(TIMEOUT_TEXT.test(failure.message) ? { timedOut: true as const } : {}), code: failure.code, message: failure.message };
      }
      if (outcome.nothing !== undefined) return { ...base, ok: true, nothing: outcome.nothing };
      return { ...base, ok: true, ms, ...(ms >= slowMs ? { slow: true as const } : {}) };
    } finally {
      clearTimeout(timer);
    }
  }));
}
