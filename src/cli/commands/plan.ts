import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RosterError } from '../../core/errors.js';
import { identityByKey } from '../../engine/continued-keys.js';
import { requireSecrets, sources } from '../../engine/missing-secrets.js';
import type { IngestResult } from '../../engine/types.js';
import { withConfigOption, type CliContext } from '../context.js';
import { cliActor } from '../io.js';
import { accountNames, referencedOwners } from '../account-references.js';
import { changesTable, ingestText, ingestWorthShowing, planJson, planSummaryText } from '../plan-format.js';

interface PlanCliOptions {
  readonly config?: string;
  readonly identity?: string;
  readonly target?: string;
  readonly json?: boolean;
  readonly out?: string;
  readonly readSources?: boolean;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('plan'))
    .description('show what would change in every target (changes nothing)')
    .option('--identity <id>', 'only this identity (its id, or a key it was continued under)')
    .option('--target <id>', 'only this target')
    .option('--json', 'print the plan as one JSON object')
    .option('--out <file>', 'save the plan for `roster apply --plan FILE`')
    .option('--no-read-sources', 'plan from the identities already in the store (by default the HR files are read first; that changes identities, never a target)')
    .action(async (options: PlanCliOptions) => {
      await ctx.withEngine(options.config, async (engine) => {
        // A mistyped --target or --identity would otherwise be an empty plan that exits 0.
        if (options.target !== undefined && !engine.config.targets.some((t) => t.id === options.target)) {
          throw new RosterError('target.not_found', `no target '${options.target}' in the configuration`);
        }
        const ingests: IngestResult[] = [];
        if (options.readSources) {
          // Every source's secrets before any is read (engine/missing-secrets.ts).
          const reads = engine.config.sources.filter((s) => s.type !== 'push').map((s) => s.id);
          requireSecrets(engine.config, sources(reads), 'cannot read the sources (--no-read-sources plans from the identities already stored)');
          for (const source of engine.config.sources) {
            if (source.type !== 'push') ingests.push(await engine.readSource(source.id, cliActor()));
          }
        }
        // Its id, or a key it was continued under (fields.previousKey): a person rehired as E200 keeps the id E100.
        const found = options.identity === undefined ? undefined : (await identityByKey(engine.store, options.identity)).identity;
        const identity = found?.id ?? options.identity;
        const plan = await engine.plan({
          actor: cliActor(),
          ...(identity !== undefined ? { identity } : {}),
          ...(options.target !== undefined ? { target: options.target } : {}),
        });
        if (options.identity !== undefined && found === undefined && plan.changes.length === 0) {
          throw new RosterError('identity.not_found', `no identity with id ${options.identity}`);
        }
        if (options.out !== undefined) {
          await writeFile(resolve(ctx.io.cwd, options.out), JSON.stringify(plan, null, 2) + '\n', 'utf8');
        }
        if (options.json) {
          ctx.json(planJson(plan, ingests));
          return;
        }
        // Rows a source skipped are people this plan leaves out: said before the plan, as sync says them.
        for (const ingest of ingests) if (ingestWorthShowing(ingest)) ctx.out(ingestText(ingest, ctx.style));
        ctx.out(planSummaryText(plan, ctx.style));
        if (plan.changes.length === 0 && (await engine.store.identities.count()) === 0) {
          ctx.out('No identities yet: the sources are empty or were not read (see --no-read-sources).');
        }
        const keys = new Map(engine.config.targets.map((t) => [t.id, t.accountKey]));
        const changes = changesTable(plan, ctx.style, undefined, await referencedOwners(engine.store, plan), await accountNames(engine.store, plan, keys));
        if (changes !== '') ctx.out(changes);
        if (options.out !== undefined) ctx.out(`Saved to ${options.out}; apply it with: roster apply --plan ${options.out}`);
      });
    });
}
