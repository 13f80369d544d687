import { InvalidArgumentError, type Command } from 'commander';
import { createMetrics } from '../../api/metrics.js';
import { buildServer, SCIM_PREFIX } from '../../api/server.js';
import type { Engine } from '../../engine/types.js';
import { withConfigOption, type CliContext } from '../context.js';

export interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  readonly logRequests?: boolean;
}

/** The engine should have been opened with createMetrics() so /metrics shows its counters. */
/** Runs the API, the scheduler and the workers until SIGINT/SIGTERM, then shuts down in order. */
export async function serveEngine(ctx: CliContext, engine: Engine, options: ServeOptions = {}): Promise<void> {
  const app = await buildServer(engine, { logger: options.logRequests ?? false });
  await engine.start();
  const host = options.host ?? engine.config.server.host;
  const port = options.port ?? engine.config.server.port;
  try {
    await app.listen({ host, port });
    const address = app.server.address();
    const actualPort = typeof address === 'object' && address !== null ? address.port : port;
    const shown = host.includes(':') ? `[${host}]` : host;
    ctx.out(`Roster is listening on ${ctx.style.cyan(`http://${shown}:${actualPort}/api/v1`)} (store ${engine.store.dialect}; Ctrl-C to stop)`);
    const scim = engine.config.scim?.server;
    if (scim?.enabled) {
      const feeds = scim.source === undefined ? 'resources are stored only' : `Users feed source ${scim.source}`;
      ctx.out(`SCIM 2.0 server at ${ctx.style.cyan(`http://${shown}:${actualPort}${SCIM_PREFIX}`)} (${feeds}; tokens need scope scim)`);
    }
    const signal = await ctx.io.waitForShutdown();
    ctx.err(`${signal}: shutting down`);
  } finally {
    await app.close();
  }
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`expected a port number, got '${value}'`);
  return port;
}

export function registerServe(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('serve'))
    .description('run the HTTP API, the scheduler and the workers')
    .option('--host <host>', 'listen address (default: server.host from the configuration)')
    .option('--port <port>', 'listen port (default: server.port)', parsePort)
    .option('--log-requests', 'log every request as JSON (authorization headers redacted)')
    .action(async (options: { config?: string; host?: string; port?: number; logRequests?: boolean }) => {
      const metrics = createMetrics();
      await ctx.withEngine(options.config, (engine) => serveEngine(ctx, engine, options), metrics);
    });
}
