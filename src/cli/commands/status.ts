import { InvalidArgumentError, type Command } from 'commander';
import type { LifecycleState } from '../../core/types.js';
import { checkSources } from '../../engine/check-sources.js';
import { CHECK_TIMEOUT_MS, MAX_TIMER_MS } from '../../engine/check-targets.js';
import type { Engine, TargetCheck } from '../../engine/types.js';
import type { QueueStats } from '../../store/types.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';
import { table } from '../format.js';
import { sourceCheckOf, sourcesCheckedText } from './status-sources.js';

export interface StatusReport {
  readonly store: string;
  readonly serial: number;
  readonly identities: Readonly<Partial<Record<LifecycleState, number>>> & { readonly total: number };
  readonly targets: readonly {
    readonly id: string;
    readonly accounts: number;
    readonly queue: QueueStats;
    readonly quarantined?: { readonly since?: string; readonly reason?: string };
    /**
     * With `--check`: whether the connector's check() passed, and why not; how
     * long it took (ms); `slow` when it passed in 1 s or more, `timedOut` when
     * it got no answer in time (--check-timeout) or the connector timed out.
     */
    readonly check?: {
      readonly ok: boolean; readonly ms?: number; readonly slow?: true; readonly timedOut?: true; readonly code?: string; readonly message?: string;
    };
  }[];
  /**
   * Every configured source; with `--check`, whether it can be read (a file
   * exists and opens, a directory binds and shows its base, a syncrepl one
   * offers Content Synchronization), timed as a target's check; `nothing`
   * for a push or scim source, which has nothing to connect to.
   */
  readonly sources: {
    readonly id: string;
    readonly type: string;
    readonly check?: {
      readonly ok: boolean; readonly nothing?: string; readonly ms?: number; readonly slow?: true; readonly timedOut?: true; readonly code?: string; readonly message?: string;
    };
  }[];
}

export async function collectStatus(engine: Engine, options: { readonly check?: boolean; readonly checkTimeoutMs?: number } = {}): Promise<StatusReport> {
  const { store } = engine;
  const timeout = options.checkTimeoutMs === undefined ? {} : { timeoutMs: options.checkTimeoutMs };
  const [targetChecks, sourceChecks] = options.check ? await Promise.all([engine.checkTargets(timeout), checkSources(engine.config, timeout)]) : [];
  const checks = targetChecks === undefined ? undefined : new Map(targetChecks.map((c) => [c.target, c]));
  const sourceCheck = new Map((sourceChecks ?? []).map((c) => [c.source, c]));
  const identities: Partial<Record<LifecycleState, number>> = {};
  const all = await store.identities.list();
  for (const identity of all) identities[identity.state] = (identities[identity.state] ?? 0) + 1;
  const targets = [];
  for (const target of engine.config.targets) {
    const [accounts, queue, quarantined] = await Promise.all([
      store.accounts.listByTarget(target.id),
      store.queue.stats({ target: target.id }),
      store.state.get<{ since?: string; reason?: string }>(`quarantine:${target.id}`),
    ]);
    const checked = checks?.get(target.id);
    targets.push({
      id: target.id, accounts: accounts.length, queue,
      ...(quarantined ? { quarantined } : {}),
      ...(checked ? { check: checkOf(checked) } : {}),
    });
  }
  const sources = engine.config.sources.map((source) => {
    const checked = sourceCheck.get(source.id);
    return { id: source.id, type: source.type, ...(checked ? { check: sourceCheckOf(checked) } : {}) };
  });
  return { store: store.dialect, serial: await store.state.serial(), identities: { ...identities, total: all.length }, targets, sources };
}

export function registerStatus(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('status'))
    .description('store serial, identities by state, accounts and queue per target')
    .option('--json', 'print the status as JSON')
    .option('--check', "also check each target's connection and credentials (and a SCIM target's discovery), and that each source can be read, timing each")
    .option('--check-timeout <ms>', `with --check: give up on a target's or source's check after this many milliseconds (default ${CHECK_TIMEOUT_MS})`, parseMs)
    .action(async (options: { config?: string; json?: boolean; check?: boolean; checkTimeout?: number }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const status = await collectStatus(engine, { check: options.check === true, ...(options.checkTimeout === undefined ? {} : { checkTimeoutMs: options.checkTimeout }) });
        const unhealthy = status.targets.some((t) => t.quarantined || t.check?.ok === false) || status.sources.some((s) => s.check?.ok === false);
        if (options.json) {
          if (unhealthy) ctx.exitCode = EXIT_PROBLEMS;
          return ctx.json(status);
        }
        const { total, ...byState } = status.identities;
        ctx.out(`Store ${status.store}, serial ${status.serial}`);
        ctx.out(`Identities: ${total}` + (total > 0 ? ` (${Object.entries(byState).map(([s, n]) => `${n} ${s}`).join(', ')})` : ''));
        const rows = status.targets.map((t) => [
          t.id, String(t.accounts), String(t.queue.pending), String(t.queue.running), String(t.queue.done), String(t.queue.failed),
          String(t.queue.cancelled), stateText(t, ctx),
        ]);
        // A header over no rows reads as a listing that failed: say there is nothing to list.
        if (rows.length === 0) ctx.out('No targets configured');
        else ctx.out(table(['TARGET', 'ACCOUNTS', 'PENDING', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED', 'STATE'], rows, ctx.style));
        if (options.check && rows.length > 0) ctx.out(checkedText(status, ctx));
        if (options.check) ctx.out(sourcesCheckedText(status, ctx));
        if (unhealthy) ctx.exitCode = EXIT_PROBLEMS;
      });
    });
}

function stateText(target: StatusReport['targets'][number], ctx: CliContext): string {
  if (target.quarantined) return ctx.style.red(`quarantined since ${target.quarantined.since ?? '?'}: ${target.quarantined.reason ?? ''}`);
  if (target.check?.ok === false) {
    return ctx.style.red(`check ${target.check.timedOut ? 'timed out' : 'failed'}${msText(target.check.ms, ' after ')}: ${target.check.message ?? target.check.code ?? ''}`);
  }
  return ctx.style.green('ok');
}

/**
 * What `--check` checked and how long each took, so a pass reads as one and a
 * slow target stands out: "Connections checked: app ok (2 ms), corp-ldap ok
 * (1840 ms, slow), saas failed (target.rejected, 35 ms), hr-db timed out (15000 ms)".
 */
function checkedText(status: StatusReport, ctx: CliContext): string {
  const each = status.targets.map((t) => {
    const check = t.check;
    if (check === undefined) return `${t.id} not checked`;
    const details = (...parts: (string | undefined)[]): string => {
      const shown = parts.filter((p) => p !== undefined && p !== '');
      return shown.length === 0 ? '' : ` (${shown.join(', ')})`;
    };
    if (check.ok) return `${t.id} ${ctx.style.green('ok')}${details(msText(check.ms), check.slow ? ctx.style.yellow('slow') : undefined)}`;
    return `${t.id} ${ctx.style.red(check.timedOut ? 'timed out' : 'failed')}${details(check.code ?? 'see above', msText(check.ms))}`;
  });
  return `Connections checked: ${each.length === 0 ? 'no targets configured' : each.join(', ')}`;
}

/** The report's `check`: ok, ms, slow / timedOut, and the failure. */
function checkOf(checked: TargetCheck): NonNullable<StatusReport['targets'][number]['check']> {
  return {
    ok: checked.ok,
    ...(checked.ms === undefined ? {} : { ms: checked.ms }),
    ...(checked.slow ? { slow: true as const } : {}),
    ...(checked.timedOut ? { timedOut: true as const } : {}),
    ...(checked.ok ? {} : { code: checked.code, message: checked.message }),
  };
}

const msText = (ms: number | undefined, before = ''): string => (ms === undefined ? '' : `${before}${ms} ms`);

function parseMs(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 1) throw new InvalidArgumentError(`expected a whole number of milliseconds, got '${value}'`);
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`expected at most ${MAX_TIMER_MS} milliseconds, got '${value}'`);
  return ms;
}
