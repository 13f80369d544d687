import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RosterError } from '../../core/errors.js';
import { CURSOR_LIFETIME_SECONDS } from '../../scim/resource/discovery.js';
import type { ScimKeyset, StateStore } from '../../store/types.js';

export { CURSOR_LIFETIME_SECONDS };

/**
 * Where a cursor walk (RFC 9865) stands: the resource type it is in, the key
 * of the last resource it sent, and its page size (which must not change
 * between pages: invalidCount).
 */
export interface CursorPosition {
  readonly resourceType: string;
  readonly after: ScimKeyset;
  readonly count: number;
}

/** Where the cursor key is kept in the state store. */
export const CURSOR_KEY_STATE = 'scim:cursor-key';
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The HMAC key of the SCIM server's cursors: 32 random bytes drawn by the
 * first server on the store and kept there (state `scim:cursor-key`), so a
 * cursor one node issued pages on another node behind the same load
 * balancer, and a restart mid-walk does not break the walk. Only the store
 * holds it (an administrator can already read every resource there);
 * clients never see it, so they still cannot forge a position. A key that
 * is not 32 base64url-encoded bytes is replaced.
 */
export async function sharedCursorKey(state: StateStore): Promise<Buffer> {
  const fresh = () => randomBytes(32).toString('base64url');
  let text = await state.setIfAbsent(CURSOR_KEY_STATE, fresh());
  if (typeof text !== 'string' || !KEY_TEXT.test(text)) {
    await state.set(CURSOR_KEY_STATE, undefined);
    text = await state.setIfAbsent(CURSOR_KEY_STATE, fresh());
  }
  return Buffer.from(text, 'base64url');
}

/** Payload fields, kept short: the cursor travels in every query string. */
interface Payload {
  readonly t: string;
  readonly v: string | number | null;
  readonly i: string;
  readonly n: number;
  /** Issued, in seconds since the epoch. */
  readonly e: number;
}

/** base64url characters only: unreserved in a URI (RFC 3986 §2.3), as RFC 9865 §2 asks of a cursor. */
const PART = /^[A-Za-z0-9_-]+$/;

function cursorFault(scimType: 'invalidCursor' | 'expiredCursor', message: string): RosterError {
  return new RosterError('request.invalid', message, { details: { scimType } });
}

const invalid = (): RosterError => cursorFault('invalidCursor',
  'The cursor is not one this server issued for this query: send an empty cursor to start again, then the nextCursor of each page');

/** The MAC binds the payload to the query it pages (endpoint, filter, sort): replaying it with another query fails. */
function mac(key: Buffer, query: string, payload: string): Buffer {
  return createHmac('sha256', key).update(JSON.stringify([query, payload])).digest();
}

/** An opaque cursor: `<base64url JSON payload>.<base64url HMAC-SHA256>`. */
export function encodeCursor(key: Buffer, query: string, position: CursorPosition, now: Date): string {
  const body: Payload = {
    t: position.resourceType, v: position.after.sortValue, i: position.after.id, n: position.count, e: Math.floor(now.getTime() / 1000),
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(key, query, payload).toString('base64url')}`;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const { t, v, i, n, e } = value as Record<string, unknown>;
  return typeof t === 'string' && typeof i === 'string' && Number.isSafeInteger(n) && Number.isSafeInteger(e)
    && (v === null || typeof v === 'string' || typeof v === 'number');
}

/**
 * The position a cursor names. Anything this key did not sign for `query`
 * is invalidCursor (RFC 9865 §2.1); a signed one older than
 * CURSOR_LIFETIME_SECONDS is expiredCursor.
 */
export function decodeCursor(key: Buffer, query: string, cursor: string, now: Date): CursorPosition {
  const parts = cursor.split('.');
  if (parts.length !== 2 || !parts.every((part) => PART.test(part))) throw invalid();
  const [payload, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, query, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  // Signed by this key, so well formed; checked all the same, as the type system cannot see that.
  if (!isPayload(body)) throw invalid();
  if (now.getTime() / 1000 - body.e > CURSOR_LIFETIME_SECONDS) {
    throw cursorFault('expiredCursor', `The cursor is over ${CURSOR_LIFETIME_SECONDS} seconds old: start again with an empty cursor`);
  }
  return { resourceType: body.t, after: { sortValue: body.v, id: body.i }, count: body.n };
}
