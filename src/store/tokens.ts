import type { ApiToken, TokenStore } from './types.js';
import { writeOne, type StoreContext } from './context.js';
import { conflictAsError } from './errors.js';
import { fromJson, optional, toJson } from './json.js';
import type { TokenRow } from './schema.js';

function tokenFromRow(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scopes: fromJson(row.scopes),
    createdAt: row.created_at,
    ...optional('lastUsedAt', row.last_used_at),
    ...optional('revokedAt', row.revoked_at),
  };
}

/** API tokens, kept by hash only: the token itself is never stored. */
export function createTokenStore(ctx: StoreContext): TokenStore {
  const { db } = ctx;
  return {
    async create(token) {
      await conflictAsError(`token ${token.id}`, () => writeOne(ctx, (trx) => trx.insertInto('roster_tokens').values({
        id: token.id,
        name: token.name,
        scopes: toJson(token.scopes),
        hash: token.hash,
        created_at: token.createdAt,
        last_used_at: token.lastUsedAt ?? null,
        revoked_at: token.revokedAt ?? null,
      }).execute()));
    },
    async findByHash(hash) {
      const row = await db.selectFrom('roster_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row === undefined ? undefined : tokenFromRow(row);
    },
    async list() {
      const rows = await db.selectFrom('roster_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(tokenFromRow);
    },
    async revoke(id) {
      const result = await writeOne(ctx, (trx) => trx.updateTable('roster_tokens').set({ revoked_at: new Date().toISOString() })
        .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst());
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(id, at) {
      await writeOne(ctx, (trx) => trx.updateTable('roster_tokens').set({ last_used_at: at.toISOString() }).where('id', '=', id).execute());
    },
  };
}
