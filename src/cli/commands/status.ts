import type { Command } from 'commander';
import type { LifecycleState } from '../../core/types.js';
import type { Engine } from '../../engine/types.js';
import type { QueueStats } from '../../store/types.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';
import { table } from '../format.js';

export interface StatusReport {
  readonly store: string;
  readonly serial: number;
  readonly identities: Readonly<Partial<Record<LifecycleState, number>>> & { readonly total: number };
  readonly targets: readonly {
    readonly id: string;
    readonly accounts: number;
    readonly queue: QueueStats;
    readonly quarantined?: { readonly since?: string; readonly reason?: string };
    /** With `--check`: whether the connector's check() passed, and why not. */
    readonly check?: { readonly ok: boolean; readonly code?: string; readonly message?: string };
  }[];
}

export async function collectStatus(engine: Engine, options: { readonly check?: boolean } = {}): Promise<StatusReport> {
  const { store } = engine;
  const checks = options.check ? new Map((await engine.checkTargets()).map((c) => [c.target, c])) : undefined;
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
      ...(checked ? { check: { ok: checked.ok, ...(checked.ok ? {} : { code: checked.code, message: checked.message }) } } : {}),
    });
  }
  return { store: store.dialect, serial: await store.state.serial(), identities: { ...identities, total: all.length }, targets };
}

export function registerStatus(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('status'))
    .description('store serial, identities by state, accounts and queue per target')
    .option('--json', 'print the status as JSON')
    .option('--check', "also check each target's connection and credentials (and a SCIM target's discovery)")
    .action(async (options: { config?: string; json?: boolean; check?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const status = await collectStatus(engine, { check: options.check === true });
        const unhealthy = status.targets.some((t) => t.quarantined || t.check?.ok === false);
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
        ctx.out(table(['TARGET', 'ACCOUNTS', 'PENDING', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED', 'STATE'], rows, ctx.style));
        if (options.check) ctx.out(checkedText(status, ctx));
        if (unhealthy) ctx.exitCode = EXIT_PROBLEMS;
      });
    });
}

function stateText(target: StatusReport['targets'][number], ctx: CliContext): string {
  if (target.quarantined) return ctx.style.red(`quarantined since ${target.quarantined.since ?? '?'}: ${target.quarantined.reason ?? ''}`);
  if (target.check?.ok === false) return ctx.style.red(`check failed: ${target.check.message ?? target.check.code ?? ''}`);
  return ctx.style.green('ok');
}

/** What `--check` checked, so a pass reads as one: "Connections checked: app ok, corp-ldap failed (target.unavailable)". */
function checkedText(status: StatusReport, ctx: CliContext): string {
  const each = status.targets.map((t) => (t.check === undefined ? `${t.id} not checked`
    : t.check.ok ? `${t.id} ${ctx.style.green('ok')}` : `${t.id} ${ctx.style.red(`failed (${t.check.code ?? 'see above'})`)}`));
  return `Connections checked: ${each.length === 0 ? 'no targets configured' : each.join(', ')}`;
}
