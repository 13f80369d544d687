import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createMetrics } from '../../api/metrics.js';
import { createToken, verifyToken } from '../../api/tokens.js';
import type { Engine } from '../../engine/types.js';
import type { CliContext } from '../context.js';
import { cliActor } from '../io.js';
import { summaryByTarget } from '../plan-format.js';
import { parsePort, serveEngine } from './serve.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_CONFIG = resolve(REPO_ROOT, 'examples/demo/roster.yaml');

/** data/demo-token.txt next to the demo's data (the repository's data/ for the shipped demo). */
export function demoTokenFile(config: string): string {
  return resolve(dirname(config), '../../data/demo-token.txt');
}

/** The admin token of the demo, created once and kept in data/demo-token.txt (git-ignored). */
export async function demoToken(engine: Engine, file: string): Promise<{ token: string; created: boolean }> {
  const existing = await readFile(file, 'utf8').then((text) => text.trim(), () => undefined);
  if (existing !== undefined && (await verifyToken(engine.store, existing)) !== undefined) return { token: existing, created: false };
  const { token } = await createToken(engine.store, 'demo-admin', ['admin']);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, token + '\n', { encoding: 'utf8', mode: 0o600 });
  return { token, created: true };
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('sync the demo company (examples/demo), print what was provisioned, then serve')
    .option('-c, --config <file>', 'the demo configuration', DEMO_CONFIG)
    .option('--port <port>', 'listen port (default: the demo configuration)', parsePort)
    .option('--no-serve', 'stop after the sync')
    .action(async (options: { config: string; port?: number; serve: boolean }) => {
      const metrics = createMetrics();
      const config = ctx.configPath(options.config);
      const tokenFile = demoTokenFile(config);
      await ctx.withEngine(config, async (engine) => {
        ctx.out(`Demo: ${config}`);
        const result = await engine.sync({ actor: cliActor() });
        for (const ingest of result.ingests) {
          ctx.out(`Read ${ingest.received} people from ${ingest.sourceId} (${ingest.created} new, ${ingest.changed} changed, ${ingest.problems.length} problems)`);
        }
        ctx.out(result.plan.changes.length === 0 ? 'Everything is already in place.' : 'Provisioned:');
        for (const line of summaryByTarget(result.plan)) ctx.out(line);
        if (result.plan.held) ctx.out(ctx.style.yellow(`The plan is held: ${result.plan.holds.map((h) => h.message).join('; ')}`));
        if (result.result) ctx.out(`${result.result.applied} changes applied, ${result.result.failed} failed, ${result.result.pending} pending`);
        const { token, created } = await demoToken(engine, tokenFile);
        ctx.out(`${created ? 'Created an' : 'The'} admin API token (in ${tokenFile}):\n  ${token}`);
        if (!options.serve) return;
        const { host, port } = engine.config.server;
        ctx.out(`Try: curl -H "Authorization: Bearer $(cat ${tokenFile})" http://${host}:${options.port ?? port}/api/v1/plans`);
        await serveEngine(ctx, engine, options.port !== undefined ? { port: options.port } : {});
      }, metrics);
    });
}
