/**
 * Active Directory objectGUID: 16 bytes on the wire, shown as a GUID string
 * whose first three groups are little-endian (Microsoft's GUID layout).
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** 16 objectGUID bytes -> "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case). */
export function guidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error(`an objectGUID has 16 bytes, not ${bytes.length}`);
  const b = Buffer.from(bytes);
  return [
    hex(b.subarray(0, 4).reverse()),
    hex(b.subarray(4, 6).reverse()),
    hex(b.subarray(6, 8).reverse()),
    hex(b.subarray(8, 10)),
    hex(b.subarray(10, 16)),
  ].join('-');
}

/** The GUID string -> the 16 bytes AD stores (and a filter must match). */
export function guidToBytes(guid: string): Buffer {
  if (!isGuid(guid)) throw new Error(`not a GUID: ${JSON.stringify(guid)}`);
  const h = guid.replace(/-/g, '');
  const part = (from: number, to: number) => Buffer.from(h.slice(from, to), 'hex');
  return Buffer.concat([part(0, 8).reverse(), part(8, 12).reverse(), part(12, 16).reverse(), part(16, 20), part(20, 32)]);
}

/** The objectGUID of a search entry read with it as a buffer (explicitBufferAttributes), as a GUID string. */
export function entryGuid(raw: unknown): string | undefined {
  const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) && Buffer.isBuffer(raw[0]) ? raw[0] : undefined;
  return bytes === undefined ? undefined : guidToString(bytes);
}
