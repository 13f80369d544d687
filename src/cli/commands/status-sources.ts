import type { SourceCheck } from '../../engine/check-sources.js';
import type { CliContext } from '../context.js';
import type { StatusReport } from './status.js';

type SourceStatus = StatusReport['sources'][number];

/** The report's `check` of a source: ok, ms, slow / timedOut, nothing (push, scim), and the failure. */
export function sourceCheckOf(checked: SourceCheck): NonNullable<SourceStatus['check']> {
  return {
    ok: checked.ok,
    ...(checked.nothing === undefined ? {} : { nothing: checked.nothing }),
    ...(checked.ms === undefined ? {} : { ms: checked.ms }),
    ...(checked.slow ? { slow: true as const } : {}),
    ...(checked.timedOut ? { timedOut: true as const } : {}),
    ...(checked.ok ? {} : { code: checked.code, message: checked.message }),
  };
}

/**
 * What `--check` found of each source, one line, then each failure on a
 * line of its own (naming what failed and what to fix): "Sources checked:
 * hr ok (1 ms), corp failed (source.unavailable, 12 ms), pushed nothing to
 * connect to (push)", then "  corp: connect to ldap://… and bind as … on
 * source corp: the bind DN or password is wrong (LDAP 49: …); check …".
 */
export function sourcesCheckedText(status: Pick<StatusReport, 'sources'>, ctx: Pick<CliContext, 'style'>): string {
  const each = status.sources.map((s) => {
    const check = s.check;
    if (check === undefined) return `${s.id} not checked`;
    if (check.nothing !== undefined) return `${s.id} nothing to connect to (${s.type})`;
    const details = (...parts: (string | undefined)[]): string => {
      const shown = parts.filter((p) => p !== undefined && p !== '');
      return shown.length === 0 ? '' : ` (${shown.join(', ')})`;
    };
    const ms = check.ms === undefined ? undefined : `${check.ms} ms`;
    if (check.ok) return `${s.id} ${ctx.style.green('ok')}${details(ms, check.slow ? ctx.style.yellow('slow') : undefined)}`;
    return `${s.id} ${ctx.style.red(check.timedOut ? 'timed out' : 'failed')}${details(check.code, ms)}`;
  });
  const failures = status.sources.flatMap((s) => (s.check?.ok === false ? [`  ${s.id}: ${ctx.style.red(s.check.message ?? s.check.code ?? 'failed')}`] : []));
  return [`Sources checked: ${each.length === 0 ? 'no sources configured' : each.join(', ')}`, ...failures].join('\n');
}
