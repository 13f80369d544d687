import { InvalidArgumentError, type Command } from 'commander';
import { createToken, isValidScope, revokeToken } from '../../api/tokens.js';
import { RosterError } from '../../core/errors.js';
import { withConfigOption, type CliContext } from '../context.js';
import { table } from '../format.js';
import { cliActor } from '../io.js';

/** Repeatable --scope, checked while parsing so a typo is a usage error (exit 2). No default: a missing --scope is one too. */
const collectScope = (value: string, previous: string[] | undefined): string[] => {
  if (!isValidScope(value)) {
    throw new InvalidArgumentError(`unknown scope '${value}' (expected admin, api:read, api:write, push:<sourceId>, scim, metrics)`);
  }
  return [...(previous ?? []), value];
};

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('API tokens (stored hashed; shown once)');

  withConfigOption(token.command('create'))
    .description('create a token and print it once')
    .argument('<name>', 'who or what uses it, e.g. workday-push')
    .requiredOption('--scope <scope>', 'admin, api:read, api:write, push:<sourceId>, scim, metrics (repeatable)', collectScope)
    .option('--json', 'print { id, name, scopes, token } as JSON')
    .action(async (name: string, options: { config?: string; scope: string[]; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const created = await createToken(engine.store, name, options.scope);
        await engine.store.audit.append([{ kind: 'token.created', actor: cliActor(), data: { id: created.id, name, scopes: options.scope } }]);
        if (options.json) return ctx.json({ id: created.id, name, scopes: options.scope, token: created.token });
        ctx.out(`Token ${name} (${created.id}), scopes ${options.scope.join(', ')}:`);
        ctx.out(created.token);
        ctx.out(ctx.style.yellow('Store it now: it is not shown again.'));
      });
    });

  withConfigOption(token.command('list'))
    .description('list tokens (never their values)')
    .option('--json', 'print as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const tokens = await engine.store.tokens.list();
        if (options.json) return ctx.json(tokens);
        const rows = tokens.map((t) => [t.id, t.name, t.scopes.join(' '), t.createdAt, t.lastUsedAt ?? '-', t.revokedAt ? ctx.style.red('revoked') : 'active']);
        ctx.out(table(['ID', 'NAME', 'SCOPES', 'CREATED', 'LAST USED', 'STATE'], rows, ctx.style));
      });
    });

  withConfigOption(token.command('revoke'))
    .description('revoke a token by id')
    .argument('<id>', 'token id (from roster token list)')
    .action(async (id: string, options: { config?: string }) => {
      await ctx.withEngine(options.config, async (engine) => {
        if (!(await revokeToken(engine.store, id))) throw new RosterError('store.not_found', `no active token '${id}'`);
        await engine.store.audit.append([{ kind: 'token.revoked', actor: cliActor(), data: { id } }]);
        ctx.out(`Revoked ${id}`);
      });
    });
}
