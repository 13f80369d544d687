/**
 * A value that names another account by its object id, as Roster writes AD's
 * DN-valued attributes (`manager: <GUID=…>`, examples/ad): AD keeps such a
 * reference right when the account is renamed or moved, and reads it back as
 * the DN (connectors/ad/references.ts gives the reference form of what it reads).
 */
const OBJECT_REFERENCE = /^<GUID=([0-9a-f-]+)>$/i;

/** The account id a value names by reference, or undefined. */
export function referencedAccount(value: unknown): string | undefined {
  return typeof value === 'string' ? OBJECT_REFERENCE.exec(value)?.[1] : undefined;
}

export function isObjectReference(value: unknown): boolean {
  return referencedAccount(value) !== undefined;
}
