import { RosterError } from '../../core/errors.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BULK_ID_REFERENCE = /^bulkId:(.+)$/;

/** One operation of a BulkRequest (RFC 7644 §3.7), as sent; `problem` when it cannot run at all. */
export interface BulkOperation {
  readonly index: number;
  readonly method: string;
  readonly bulkId?: string;
  /** The entity tag the client expects (If-Match of the operation). */
  readonly version?: string;
  readonly path: string;
  readonly data?: unknown;
  readonly problem?: RosterError;
}

export interface BulkRequest {
  /** Stop after this many failed operations; undefined = run them all. */
  readonly failOnErrors?: number;
  readonly operations: readonly BulkOperation[];
}

function invalid(message: string, scimType: string): RosterError {
  return new RosterError('request.invalid', message, { details: { scimType } });
}

/**
 * Deepest nesting an operation's data may have. A SCIM resource is a few
 * levels deep (extension, complex, multi-valued, sub-attribute; a PatchOp adds
 * two); the bulkId walkers recurse, so data much deeper than that would
 * overflow the stack. JSON.parse itself accepts any depth within the body limit.
 */
export const MAX_DATA_DEPTH = 32;

/** Whether `value` nests deeper than `max` arrays and objects; recurses at most `max` levels itself. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max === 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (nestsDeeperThan(item, max - 1)) return true;
  }
  return false;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function readOperation(raw: unknown, index: number): BulkOperation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { index, method: '', path: '', problem: invalid(`Operation ${index + 1} is not an object`, 'invalidSyntax') };
  }
  const record = raw as Record<string, unknown>;
  const method = typeof record.method === 'string' ? record.method.toUpperCase() : '';
  const path = optionalString(record.path) ?? '';
  const bulkId = optionalString(record.bulkId);
  const version = optionalString(record.version);
  const base = { index, method, path, ...(bulkId === undefined ? {} : { bulkId }), ...(version === undefined ? {} : { version }), ...('data' in record ? { data: record.data } : {}) };
  if (nestsDeeperThan(record.data, MAX_DATA_DEPTH)) {
    // Without its data: planBulk's walkers never descend into it.
    const { data: _dropped, ...shallow } = base;
    return { ...shallow, problem: invalid(`Operation ${index + 1}: data is nested more than ${MAX_DATA_DEPTH} levels deep`, 'invalidValue') };
  }
  if (!METHODS.has(method)) return { ...base, problem: invalid(`Operation ${index + 1}: method must be POST, PUT, PATCH or DELETE`, 'invalidValue') };
  if (path === '') return { ...base, problem: invalid(`Operation ${index + 1}: path is required`, 'invalidSyntax') };
  if (method === 'POST' && (bulkId === undefined || bulkId === '')) {
    return { ...base, problem: invalid(`Operation ${index + 1}: bulkId is required with POST`, 'invalidSyntax') };
  }
  if (method !== 'DELETE' && !('data' in record)) return { ...base, problem: invalid(`Operation ${index + 1}: data is required with ${method}`, 'invalidSyntax') };
  return base;
}

/**
 * Reads a BulkRequest. Faults of the request as a whole throw (400, or 413 over
 * maxOperations as RFC 7644 §3.7.4 asks); a fault of one operation is kept on
 * that operation, which then fails alone.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): BulkRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The body must be a BulkRequest object', 'invalidSyntax');
  const record = body as Record<string, unknown>;
  if (!Array.isArray(record.schemas) || !record.schemas.includes(BULK_REQUEST_SCHEMA)) {
    throw invalid(`The body's schemas must contain "${BULK_REQUEST_SCHEMA}"`, 'invalidSyntax');
  }
  if (!Array.isArray(record.Operations)) throw invalid('The body must have an Operations array', 'invalidSyntax');
  if (record.Operations.length > maxOperations) {
    throw new RosterError('request.too_large', `The bulk request has ${record.Operations.length} operations; the maximum is ${maxOperations}`);
  }
  const failOnErrors = record.failOnErrors;
  if (failOnErrors !== undefined && (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)) {
    throw invalid('failOnErrors must be an integer of 1 or more', 'invalidValue');
  }
  const operations = record.Operations.map(readOperation);
  const seen = new Set<string>();
  for (const operation of operations) {
    if (operation.bulkId === undefined || operation.problem !== undefined) continue;
    if (seen.has(operation.bulkId)) throw invalid(`bulkId "${operation.bulkId}" is used by more than one operation`, 'invalidValue');
    seen.add(operation.bulkId);
  }
  return { ...(failOnErrors === undefined ? {} : { failOnErrors }), operations };
}

/** Every `bulkId:<id>` a value refers to, at any depth. */
export function referencedBulkIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    const match = BULK_ID_REFERENCE.exec(value);
    if (match?.[1] !== undefined) into.add(match[1]);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedBulkIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) referencedBulkIds(item, into);
  }
  return into;
}

/** Replaces each `bulkId:<id>` string with the id `lookup` gives (which throws for unknown or failed ones). */
export function resolveBulkIds<T>(value: T, lookup: (bulkId: string) => string): T {
  if (typeof value === 'string') {
    const match = BULK_ID_REFERENCE.exec(value);
    return (match?.[1] === undefined ? value : lookup(match[1])) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => resolveBulkIds(item, lookup)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveBulkIds(item, lookup)])) as T;
  }
  return value;
}

export interface BulkPlan {
  /** Operation indexes in the order to run them. */
  readonly order: readonly number[];
  /** Operations that wait, directly or not, on a circular chain of bulkIds: refused with 409. */
  readonly circular: readonly number[];
}

/**
 * Runs operations in request order, except that the POST defining a bulkId
 * runs before any operation referring to it (RFC 7644 §3.7.2). Operations
 * caught in a cycle of references are not run: §3.7.1 lets the service
 * provider stop after a failed attempt and answer 409.
 */
export function planBulk(operations: readonly BulkOperation[]): BulkPlan {
  const definedBy = new Map<string, number>();
  for (const operation of operations) {
    if (operation.method === 'POST' && operation.bulkId !== undefined && operation.problem === undefined) definedBy.set(operation.bulkId, operation.index);
  }
  // Kahn's algorithm taking the ready operation with the lowest index first: O((operations + references) log operations), not quadratic.
  const waiting = new Array<number>(operations.length).fill(0);
  const waitedOnBy: number[][] = operations.map(() => []);
  for (const operation of operations) {
    const ids = referencedBulkIds(operation.data, referencedBulkIds(pathSegments(operation.path)));
    for (const dependency of new Set([...ids].map((id) => definedBy.get(id)).filter((index): index is number => index !== undefined))) {
      waiting[operation.index] = (waiting[operation.index] ?? 0) + 1;
      waitedOnBy[dependency]?.push(operation.index);
    }
  }
  const ready = new MinHeap();
  for (const operation of operations) if (waiting[operation.index] === 0) ready.push(operation.index);
  const order: number[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(next);
    for (const dependent of waitedOnBy[next] ?? []) {
      waiting[dependent] = (waiting[dependent] ?? 0) - 1;
      if (waiting[dependent] === 0) ready.push(dependent);
    }
  }
  const done = new Set(order);
  return { order, circular: operations.map((operation) => operation.index).filter((index) => !done.has(index)) };
}

/** A binary min-heap of operation indexes. */
class MinHeap {
  readonly #items: number[] = [];

  push(value: number): void {
    const items = this.#items;
    items.push(value);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && items[left]! < items[smallest]!) smallest = left;
      if (right < items.length && items[right]! < items[smallest]!) smallest = right;
      if (smallest === i) break;
      [items[smallest], items[i]] = [items[i]!, items[smallest]!];
      i = smallest;
    }
    return top;
  }
}

function pathSegments(path: string): string[] {
  return path.replace(/^\/+/, '').split('/');
}

/** `/Users` or `/Users/<id>` (a leading slash optional): the endpoint segment and the id (maybe `bulkId:<id>`). */
export function parseBulkPath(path: string): { readonly endpoint: string; readonly id?: string } {
  const parts = pathSegments(path);
  if (parts.length > 2 || parts[0] === undefined || parts[0] === '' || parts[1] === '') {
    throw invalid(`"${path}" is not a resource endpoint or resource path`, 'invalidValue');
  }
  return parts[1] === undefined ? { endpoint: parts[0] } : { endpoint: parts[0], id: parts[1] };
}
