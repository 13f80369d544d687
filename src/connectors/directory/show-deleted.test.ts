import { BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { deletedObjectsDn, ShowDeletedControl, SHOW_DELETED_OID } from './show-deleted.js';

describe('Show Deleted control', () => {
  it('is the OID, critical, with no value', () => {
    const writer = new BerWriter();
    new ShowDeletedControl().write(writer);
    const oid = Buffer.from(SHOW_DELETED_OID);
    // SEQUENCE { OCTET STRING oid, BOOLEAN TRUE }, nothing after.
    expect(writer.buffer).toEqual(Buffer.concat([Buffer.from([0x30, oid.length + 5, 0x04, oid.length]), oid, Buffer.from([0x01, 0x01, 0xff])]));
  });

  it('names the Deleted Objects container by its well-known GUID', () => {
    expect(deletedObjectsDn('DC=example,DC=com')).toBe('<WKGUID=18e2ea80684f11d2b9aa00c04f79f805,DC=example,DC=com>');
  });
});
