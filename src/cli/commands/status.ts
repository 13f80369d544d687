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
  }[];
}

export async function collectStatus(engine: Engine): Promise<StatusReport> {
  const { store } = engine;
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
    targets.push({ id: target.id, accounts: accounts.length, queue, ...(quarantined ? { quarantined } : {}) });
  }
  return { store: store.dialect, serial: await store.state.serial(), identities: { ...identities, total: all.length }, targets };
}

export function registerStatus(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('status'))
    .description('store serial, identities by state, accounts and queue per target')
    .option('--json', 'print the status as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const status = await collectStatus(engine);
        if (options.json) return ctx.json(status);
        const { total, ...byState } = status.identities;
        ctx.out(`Store ${status.store}, serial ${status.serial}`);
        ctx.out(`Identities: ${total}` + (total > 0 ? ` (${Object.entries(byState).map(([s, n]) => `${n} ${s}`).join(', ')})` : ''));
        const rows = status.targets.map((t) => [
          t.id, String(t.accounts), String(t.queue.pending), String(t.queue.running), String(t.queue.done), String(t.queue.failed),
          t.quarantined ? ctx.style.red(`quarantined since ${t.quarantined.since ?? '?'}: ${t.quarantined.reason ?? ''}`) : ctx.style.green('ok'),
        ]);
        ctx.out(table(['TARGET', 'ACCOUNTS', 'PENDING', 'RUNNING', 'DONE', 'FAILED', 'STATE'], rows, ctx.style));
        if (status.targets.some((t) => t.quarantined)) ctx.exitCode = EXIT_PROBLEMS;
      });
    });
}
