import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompiledQuery } from 'kysely';
import type { Change, ChangeState } from '../core/types.js';
import type { Db, StoreContext } from './context.js';

/**
 * A plan's changes are stored in chunks (roster_plan_changes, one row per
 * CHUNK_SIZE changes), never as one JSON text: a 1,000,000-change plan would
 * otherwise be one string of hundreds of MB (V8 strings stop near 512 MB),
 * built and held at once. Each chunk is a JSON array of compact tuples
 * `[identity, target, action, before, after, reasons]`, plus the id as a 7th
 * element only when it is not the deterministic one (see `derivedId`),
 * compressed (raw deflate, fastest level: ~10× smaller, so a large plan costs
 * a few MB of writes instead of hundreds).
 */
export const CHUNK_SIZE = 5_000;

type ChangeTuple = readonly [string, string, Change['action'], ChangeState | null, ChangeState | null, readonly string[], string?];

/** The id the planner gives a change: `${target}:${identity}:${action}[:${entitlement}]`. */
function derivedId(identity: string, target: string, action: string, before: ChangeState | null, after: ChangeState | null): string {
  const entitlement = after?.entitlement ?? before?.entitlement;
  return entitlement === undefined ? `${target}:${identity}:${action}` : `${target}:${identity}:${action}:${entitlement}`;
}

function encode(change: Change): ChangeTuple {
  const { id, identity, target, action, before, after, reasons } = change;
  return id === derivedId(identity, target, action, before, after)
    ? [identity, target, action, before, after, reasons]
    : [identity, target, action, before, after, reasons, id];
}

function decode(tuple: ChangeTuple): Change {
  const [identity, target, action, before, after, reasons, id] = tuple;
  return { id: id ?? derivedId(identity, target, action, before, after), identity, target, action, before, after, reasons };
}

/** Appends the changes in one chunk's text to `out` (no intermediate arrays of the whole plan). */
export function decodeChunk(text: string, out: Change[]): void {
  const tuples = JSON.parse(text) as ChangeTuple[];
  for (const tuple of tuples) out.push(decode(tuple));
}

export function encodeChunk(changes: readonly Change[], start: number, end: number): string {
  const tuples: ChangeTuple[] = new Array<ChangeTuple>(end - start);
  for (let i = start; i < end; i++) tuples[i - start] = encode(changes[i]!);
  return JSON.stringify(tuples);
}

const utf8 = new TextEncoder();

/**
 * A chunk as stored: the encoded text, deflated. The text goes to UTF-8
 * through TextEncoder: the same bytes as zlib's own Buffer.from, in about
 * half the time for the two-byte strings names make (é, ả, 李).
 */
export function packChunk(changes: readonly Change[], start: number, end: number): Buffer {
  return deflateRawSync(utf8.encode(encodeChunk(changes, start, end)), { level: 1 });
}

export function unpackChunk(body: Uint8Array, out: Change[]): void {
  decodeChunk(inflateRawSync(body).toString('utf8'), out);
}

/**
 * Replaces the stored changes of a plan, inside the caller's write
 * transaction. Each chunk is stringified just before it is written, so at
 * most one chunk's text is alive at a time. Every value is a bound parameter.
 */
export async function writeChanges(ctx: StoreContext, trx: Db, planId: string, changes: readonly Change[]): Promise<void> {
  if (ctx.sqlite !== undefined) {
    // Safe inside ctx.write only: better-sqlite3 is synchronous and this is the transaction's connection.
    ctx.sqlite.statement('delete from roster_plan_changes where plan_id = ?').run(planId);
    const insert = ctx.sqlite.statement('insert into roster_plan_changes (plan_id, chunk, body) values (?, ?, ?)');
    for (let start = 0, chunk = 0; start < changes.length; start += CHUNK_SIZE, chunk++) {
      insert.run(planId, chunk, packChunk(changes, start, Math.min(changes.length, start + CHUNK_SIZE)));
    }
    return;
  }
  await trx.executeQuery(CompiledQuery.raw('delete from roster_plan_changes where plan_id = $1', [planId]));
  for (let start = 0, chunk = 0; start < changes.length; start += CHUNK_SIZE, chunk++) {
    const body = packChunk(changes, start, Math.min(changes.length, start + CHUNK_SIZE));
    await trx.executeQuery(CompiledQuery.raw('insert into roster_plan_changes (plan_id, chunk, body) values ($1, $2, $3)', [planId, chunk, body]));
  }
}

/** Every change of a plan, in order; [] when it has none. */
export async function readChanges(db: Db, planId: string): Promise<Change[]> {
  const rows = await db.selectFrom('roster_plan_changes').select('body').where('plan_id', '=', planId).orderBy('chunk').execute();
  const changes: Change[] = [];
  for (const row of rows) unpackChunk(row.body, changes);
  return changes;
}
