import type { PatchOpName } from './patch-apply.js';
import { scimFault } from './errors.js';
import { isObject, memberIgnoringCase, type JsonObject } from './patch-json.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Most operations one request may carry. A real client sends a handful (Entra
 * ID batches group members ten or so to an operation); more is refused as
 * `invalidSyntax`, not `tooMany`: RFC 7644 §3.12 defines tooMany for a filter
 * that yields too many results, while a body past the server's structural
 * limits "does not conform to the request schema" it accepts.
 */
export const MAX_PATCH_OPERATIONS = 1_000;

/** One checked entry of `Operations`. */
export interface PatchOperation {
  readonly op: PatchOpName;
  /** Undefined when absent (or null, which some clients send for "no path"). */
  readonly path?: string;
  /** Undefined when absent. */
  readonly value: unknown;
}

const OPS: ReadonlySet<string> = new Set(['add', 'replace', 'remove']);

/**
 * Reads a PatchOp message (RFC 7644 §3.5.2). Tolerant of what real clients
 * send: member names in any case (`operations`, `Op`), op names in any case
 * (Entra ID sends "Replace"), a null path. Strict about the rest.
 */
export function readOperations(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw scimFault('invalidSyntax', 'a PATCH body must be a JSON object');
  const schemas = member(body, 'schemas');
  const valid = Array.isArray(schemas) && schemas.length > 0 && schemas.every((uri) => typeof uri === 'string' && uri.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase());
  if (!valid) throw scimFault('invalidSyntax', `'schemas' must be ["${PATCH_OP_SCHEMA}"]`);
  const operations = member(body, 'Operations');
  // §3.5.2: "Operations", whose value is an array of one or more PATCH operations.
  if (!Array.isArray(operations) || operations.length === 0) throw scimFault('invalidSyntax', "'Operations' must be an array of one or more operations");
  if (operations.length > MAX_PATCH_OPERATIONS) throw scimFault('invalidSyntax', `at most ${MAX_PATCH_OPERATIONS} operations per request`);
  return operations.map((operation, index) => readOperation(operation, `Operations[${index}]`));
}

function readOperation(operation: unknown, where: string): PatchOperation {
  if (!isObject(operation)) throw scimFault('invalidSyntax', `${where} must be an object`);
  const op = member(operation, 'op', where);
  if (typeof op !== 'string' || !OPS.has(op.toLowerCase())) throw scimFault('invalidSyntax', `${where}: 'op' must be add, replace or remove`);
  const name = op.toLowerCase() as PatchOpName;
  const path = member(operation, 'path', where);
  if (path !== undefined && path !== null && (typeof path !== 'string' || path.trim() === '')) {
    throw scimFault('invalidPath', `${where}: 'path' must be a non-empty string`);
  }
  const value = member(operation, 'value', where);
  // §3.5.2.1 / §3.5.2.3: add and replace MUST carry a value; §3.12: a missing required value is invalidValue.
  if (name !== 'remove' && value === undefined) throw scimFault('invalidValue', `${where}: '${name}' needs a 'value'`);
  return { op: name, ...(typeof path === 'string' ? { path: path.trim() } : {}), value };
}

function member(object: JsonObject, name: string, where = 'the body'): unknown {
  const found = memberIgnoringCase(object, name);
  if (found.ambiguous) throw scimFault('invalidSyntax', `${where} has '${name}' twice (in different case)`);
  return found.value;
}
