import type { Connector } from '../connectors/types.js';
import { toRosterError } from '../core/errors.js';
import type { CheckTargetsOptions, TargetCheck } from './types.js';

/** How long `roster status --check` waits for one target's check by default. */
export const CHECK_TIMEOUT_MS = 15_000;
/** A check that took at least this long (and did not time out) is reported as slow by default. */
export const CHECK_SLOW_MS = 1_000;

/** The longest delay setTimeout takes (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a connector's own timeout says (ldapts "Operation timed out" / "Connection timeout", SCIM "timed out", ETIMEDOUT). */
const TIMEOUT_TEXT = /timed out|timeout|ETIMEDOUT/i;

/**
 * Every target's check(), all at once, each timed (wall clock, ms). A check
 * that has not answered after `timeoutMs` is reported as failed and timed
 * out, without waiting for it; so is one the connector itself gave up on for
 * a timeout. One that passed in `slowMs` or more is marked slow. An abandoned
 * check is not cancelled here: closing the engine closes its connector,
 * which ends it at once (the LDAP pool unbinds a connection still binding,
 * the SCIM connector aborts its requests and retries none), so `roster
 * status --check` exits soon after its report.
 */
export function checkTargets(connectors: ReadonlyMap<string, Connector>, options: CheckTargetsOptions = {}): Promise<TargetCheck[]> {
  // A Node timer holds at most 2^31-1 ms: a longer one fires at once, and every check would read as timed out.
  const timeoutMs = Math.min(options.timeoutMs ?? CHECK_TIMEOUT_MS, MAX_TIMER_MS);
  const slowMs = options.slowMs ?? CHECK_SLOW_MS;
  return Promise.all([...connectors].map(async ([target, connector]): Promise<TargetCheck> => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    // A check() that throws instead of rejecting is that target's failure, not the whole report's (and its timer is cleared).
    const check = Promise.resolve().then(() => connector.check()).then(() => undefined, (error: unknown) => error ?? new Error('check failed'));
    try {
      const outcome = await Promise.race([check, deadline]);
      const ms = elapsed();
      if (outcome === 'timeout') {
        return { target, ok: false, ms, timedOut: true, code: 'target.unavailable', message: `no answer within ${timeoutMs} ms (the check was abandoned)` };
      }
      if (outcome === undefined) return { target, ok: true, ms, ...(ms >= slowMs ? { slow: true } : {}) };
      const failure = toRosterError(outcome, 'target.unavailable');
      return { target, ok: false, ms, ...(TIMEOUT_TEXT.test(failure.message) ? { timedOut: true } : {}), code: failure.code, message: failure.message };
    } finally {
      clearTimeout(timer);
    }
  }));
}
