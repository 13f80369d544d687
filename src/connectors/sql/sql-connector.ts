import { RosterError } from '../../core/errors.js';
import type { Attributes, TargetAccount } from '../../core/types.js';
import type { AccountSpec, Connector, ConnectorCapabilities, ConnectorContext } from '../types.js';
import type { SqlConnectionConfig } from './config.js';
import type { AppDatabase, OpenedDatabase } from './database.js';
import { isConstraintViolation, toTargetError } from './errors.js';
import { UserMapping } from './mapping.js';
import { createTables } from './tables.js';

const PAGE_SIZE = 1000;
type Row = Record<string, unknown>;

/**
 * An application's user table (and optional group-membership table) in
 * SQLite or PostgreSQL. Table and column names come from the validated config
 * and are quoted as identifiers by Kysely; every value is a bound parameter.
 */
export class SqlConnector implements Connector {
  readonly kind = 'sql';
  readonly capabilities: ConnectorCapabilities;
  readonly #opened: OpenedDatabase;
  readonly #config: SqlConnectionConfig;
  readonly #mapping: UserMapping;
  readonly #targetId: string;
  #ready: Promise<void> | undefined;

  constructor(opened: OpenedDatabase, config: SqlConnectionConfig, context: ConnectorContext) {
    this.#opened = opened;
    this.#config = config;
    this.#targetId = context.targetId;
    this.#mapping = new UserMapping(config.users, opened.dialect, context.targetId);
    // Every mapped column is read back: a NULL where Roster wrote a value was cleared by hand, and reconcile sees it.
    this.capabilities = { entitlements: config.memberships !== undefined, disable: config.users.enabled !== undefined, delete: true, readBack: this.#mapping.attributes() };
  }

  check(): Promise<void> {
    return this.#run('check', async (db) => {
      await db.selectFrom(this.#config.users.table).select(this.#mapping.keyColumn).limit(1).execute();
      const m = this.#config.memberships;
      if (m !== undefined) await db.selectFrom(m.table).select(m.user).limit(1).execute();
    });
  }

  async *list(): AsyncIterable<TargetAccount> {
    let after: string | undefined;
    for (;;) {
      const page = await this.#run('list', (db) => this.#page(db, after));
      yield* page;
      if (page.length < PAGE_SIZE) return;
      after = page[page.length - 1]?.accountId;
    }
  }

  get(accountId: string): Promise<TargetAccount | undefined> {
    return this.#run('get', (db) => this.#get(db, accountId));
  }

  create(spec: AccountSpec): Promise<TargetAccount> {
    return this.#run('create', async (db) => {
      const key = spec.attributes[this.#mapping.keyAttribute];
      if (typeof key !== 'string' || key === '') {
        throw new RosterError('target.rejected', `create on ${this.#targetId}: attribute ${this.#mapping.keyAttribute} (the account key) must be a non-empty string`);
      }
      const row = this.#mapping.toRow(spec.attributes, 'create');
      const { enabledColumn, keyColumn } = this.#mapping;
      if (enabledColumn !== undefined) row[enabledColumn] = spec.enabled ? this.#mapping.enabledOn : this.#mapping.enabledOff;
      const table = this.#config.users.table;
      return db.transaction().execute(async (trx) => {
        await trx.insertInto(table).values(row).onConflict((oc) => oc.column(keyColumn).doNothing()).execute();
        const { [keyColumn]: _key, ...rest } = row;
        if (Object.keys(rest).length > 0) await trx.updateTable(table).set(rest).where(keyColumn, '=', key).execute();
        const account = await this.#get(trx, key);
        if (account === undefined) throw new RosterError('target.rejected', `create on ${this.#targetId}: account ${key} was not stored`);
        return account;
      });
    });
  }

  update(accountId: string, attributes: Attributes): Promise<void> {
    return this.#run('update', async (db) => {
      const row = this.#mapping.toRow(attributes, 'update');
      const newKey = row[this.#mapping.keyColumn];
      if (newKey === null) throw new RosterError('target.rejected', `update on ${this.#targetId}: the account key cannot be cleared`);
      await db.transaction().execute(async (trx) => {
        await this.#updateUser(trx, accountId, row, 'update');
        const m = this.#config.memberships;
        if (m !== undefined && newKey !== undefined && newKey !== accountId) {
          await trx.updateTable(m.table).set({ [m.user]: newKey }).where(m.user, '=', accountId).execute();
        }
      });
    });
  }

  setEnabled(accountId: string, enabled: boolean): Promise<void> {
    return this.#run('setEnabled', async (db) => {
      const column = this.#mapping.enabledColumn;
      if (column === undefined) throw new RosterError('target.rejected', `setEnabled on ${this.#targetId}: no enabled column is configured`);
      await this.#updateUser(db, accountId, { [column]: enabled ? this.#mapping.enabledOn : this.#mapping.enabledOff }, 'setEnabled');
    });
  }

  delete(accountId: string): Promise<void> {
    return this.#run('delete', async (db) => {
      await db.transaction().execute(async (trx) => {
        const m = this.#config.memberships;
        if (m !== undefined) await trx.deleteFrom(m.table).where(m.user, '=', accountId).execute();
        await trx.deleteFrom(this.#config.users.table).where(this.#mapping.keyColumn, '=', accountId).execute();
      });
    });
  }

  grant(accountId: string, entitlement: string): Promise<void> {
    return this.#run('grant', async (db) => {
      const m = this.#memberships('grant');
      const exists = await this.#exists(db, accountId);
      if (!exists) throw new RosterError('target.not_found', `grant on ${this.#targetId}: no account ${accountId}`);
      const held = await db.selectFrom(m.table).select(m.user).where(m.user, '=', accountId).where(m.group, '=', entitlement).executeTakeFirst();
      if (held !== undefined) return;
      try {
        await db.insertInto(m.table).values({ [m.user]: accountId, [m.group]: entitlement }).execute();
      } catch (error) {
        // Granted meanwhile by someone else: the unique key says it is held, which is what we wanted.
        if (isConstraintViolation(error)) return;
        throw error;
      }
    });
  }

  revoke(accountId: string, entitlement: string): Promise<void> {
    return this.#run('revoke', async (db) => {
      const m = this.#memberships('revoke');
      await db.deleteFrom(m.table).where(m.user, '=', accountId).where(m.group, '=', entitlement).execute();
    });
  }

  /** The column's own form of a value Roster wrote (a boolean as 1 or 't', JSON text, a Date) is no change. */
  sameValue(_attribute: string, written: unknown, held: unknown): boolean {
    return this.#mapping.sameValue(written, held);
  }

  close(): Promise<void> {
    return this.#opened.close();
  }

  async #run<T>(operation: string, body: (db: AppDatabase) => Promise<T>): Promise<T> {
    try {
      if (this.#config.createTables) {
        this.#ready ??= createTables(this.#opened, this.#config, this.#mapping).catch((error: unknown) => {
          this.#ready = undefined;
          throw error;
        });
        await this.#ready;
      }
      return await body(this.#opened.db);
    } catch (error) {
      throw toTargetError(error, this.#targetId, operation);
    }
  }

  #memberships(operation: string): NonNullable<SqlConnectionConfig['memberships']> {
    const m = this.#config.memberships;
    if (m === undefined) throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: no memberships table is configured`);
    return m;
  }

  async #exists(db: AppDatabase, accountId: string): Promise<boolean> {
    const { keyColumn } = this.#mapping;
    const row = await db.selectFrom(this.#config.users.table).select(keyColumn).where(keyColumn, '=', accountId).executeTakeFirst();
    return row !== undefined;
  }

  async #updateUser(db: AppDatabase, accountId: string, row: Record<string, unknown>, operation: string): Promise<void> {
    const found = Object.keys(row).length === 0
      ? await this.#exists(db, accountId)
      : (await db.updateTable(this.#config.users.table).set(row).where(this.#mapping.keyColumn, '=', accountId).executeTakeFirst()).numUpdatedRows > 0n;
    if (!found) throw new RosterError('target.not_found', `${operation} on ${this.#targetId}: no account ${accountId}`);
  }

  async #get(db: AppDatabase, accountId: string): Promise<TargetAccount | undefined> {
    const { keyColumn } = this.#mapping;
    const row: Row | undefined = await db.selectFrom(this.#config.users.table).select(this.#mapping.selectColumns())
      .where(keyColumn, '=', accountId).executeTakeFirst();
    if (row === undefined) return undefined;
    const m = this.#config.memberships;
    const groups: Row[] = m === undefined ? [] : await db.selectFrom(m.table).select(m.group).where(m.user, '=', accountId).orderBy(m.group).execute();
    return this.#account(row, groups.map((g) => String(g[m?.group ?? ''])));
  }

  async #page(db: AppDatabase, after: string | undefined): Promise<TargetAccount[]> {
    const { keyColumn } = this.#mapping;
    let query = db.selectFrom(this.#config.users.table).select(this.#mapping.selectColumns()).orderBy(keyColumn).limit(PAGE_SIZE);
    if (after !== undefined) query = query.where(keyColumn, '>', after);
    const rows: Row[] = await query.execute();
    const first = rows[0]?.[keyColumn];
    const last = rows[rows.length - 1]?.[keyColumn];
    const byUser = new Map<string, string[]>();
    const m = this.#config.memberships;
    if (m !== undefined && first !== undefined && last !== undefined) {
      const memberships: Row[] = await db.selectFrom(m.table).select([m.user, m.group])
        .where(m.user, '>=', first).where(m.user, '<=', last).orderBy(m.user).orderBy(m.group).execute();
      for (const membership of memberships) {
        const user = String(membership[m.user]);
        const list = byUser.get(user) ?? [];
        list.push(String(membership[m.group]));
        byUser.set(user, list);
      }
    }
    return rows.map((row) => this.#account(row, byUser.get(String(row[keyColumn])) ?? []));
  }

  #account(row: Row, entitlements: string[]): TargetAccount {
    const { attributes, enabled } = this.#mapping.fromRow(row);
    return { accountId: String(row[this.#mapping.keyColumn]), attributes, entitlements, enabled };
  }
}
