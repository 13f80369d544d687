import { BusyError, InsufficientAccessError, InvalidDNSyntaxError, NoSuchObjectError, UnknownStatusCodeError } from 'ldapts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DirectorySourceConnection } from '../../config/types.js';
import { ClientPool, type DirectoryClient } from '../../connectors/directory/pool.js';
import { RosterError } from '../../core/errors.js';
import { binaryValue, bufferAttributes, DirectoryReader, isUnreadableEntry, sidToString, sourceEntry } from './search.js';

// Administrators (S-1-5-32-544), as AD stores it.
const ADMINISTRATORS = Buffer.from('01020000000000052000000020020000', 'hex');
const GUID_BYTES = Buffer.from([0x9a, 0x4f, 0x3c, 0xa1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc]);

describe('binary values', () => {
  it('formats objectSid as S-1-..., and bytes that are not a SID as hex', () => {
    expect(sidToString(ADMINISTRATORS)).toBe('S-1-5-32-544');
    const domainUser = Buffer.alloc(28);
    domainUser.writeUInt8(1, 0);
    domainUser.writeUInt8(5, 1);
    domainUser.writeUIntBE(5, 2, 6);
    [21, 3623811015, 3361044348, 30300820, 1013].forEach((sub, i) => domainUser.writeUInt32LE(sub, 8 + 4 * i));
    expect(sidToString(domainUser)).toBe('S-1-5-21-3623811015-3361044348-30300820-1013');
    expect(sidToString(ADMINISTRATORS.subarray(0, 12))).toBeUndefined();
    expect(binaryValue('objectSid', ADMINISTRATORS.subarray(0, 12))).toBe('010200000000000520000000');
  });

  it('formats objectGUID as a GUID (any spelling of its name) and any other binary value as hex', () => {
    expect(binaryValue('objectGUID', GUID_BYTES)).toBe('a13c4f9a-2211-4433-5566-778899aabbcc');
    expect(binaryValue('OBJECTGUID', GUID_BYTES)).toBe('a13c4f9a-2211-4433-5566-778899aabbcc');
    expect(binaryValue('objectGUID', Buffer.from([0xff, 0x01]))).toBe('ff01');
    expect(binaryValue('jpegPhoto', Buffer.from([0xff, 0xd8, 0x00]))).toBe('ffd800');
  });

  it('builds an entry from ldapts output: names lower-cased, text kept, binary values formatted, lists kept', () => {
    const entry = sourceEntry({
      dn: 'CN=Ann,DC=example,DC=com', objectGUID: GUID_BYTES, objectSid: ADMINISTRATORS, mail: ['a@example.com', 'b@example.com'],
      photo: Buffer.from([0xc3, 0x28]), uSNChanged: '4100', empty: [],
    });
    expect(entry.dn).toBe('CN=Ann,DC=example,DC=com');
    expect(Object.fromEntries(entry.values)).toEqual({
      objectguid: ['a13c4f9a-2211-4433-5566-778899aabbcc'], objectsid: ['S-1-5-32-544'], mail: ['a@example.com', 'b@example.com'],
      photo: ['c328'], usnchanged: ['4100'], empty: [],
    });
  });

  it('asks ldapts for objectGUID and objectSid as buffers, also as the source spells them', () => {
    expect(bufferAttributes(['employeeID'])).toEqual(['objectGUID', 'objectguid', 'objectSid', 'objectsid']);
    expect(bufferAttributes(['ObjectGuid', 'mail'])).toEqual(['objectGUID', 'objectguid', 'objectSid', 'objectsid', 'ObjectGuid']);
  });
});

describe('manager lookups (valueAt)', () => {
  const connection: DirectorySourceConnection = {
    url: 'ldap://127.0.0.1:1', bindDN: 'cn=reader', password: 'secret', startTLS: false,
    timeoutMs: 1000, connectTimeoutMs: 1000, pageSize: 10, base: 'dc=example,dc=com',
  };
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function answering(search: DirectoryClient['search']) {
    vi.spyOn(ClientPool.prototype, 'use').mockImplementation(async (work) => work({ search } as unknown as DirectoryClient));
  }

  it('leaves a manager it cannot read unresolved: no such object, a referral, an invalid DN, no access', () => {
    expect(isUnreadableEntry(new NoSuchObjectError('x'))).toBe(true);
    expect(isUnreadableEntry(new UnknownStatusCodeError(10, 'referral'))).toBe(true);
    expect(isUnreadableEntry(new InvalidDNSyntaxError('x'))).toBe(true);
    expect(isUnreadableEntry(new InsufficientAccessError('x'))).toBe(true);
    expect(isUnreadableEntry(new BusyError('x'))).toBe(false);
    expect(isUnreadableEntry(new Error('socket closed'))).toBe(false);
  });

  it.each([
    ['a referral', new UnknownStatusCodeError(10, 'Referral')],
    ['an invalid DN', new InvalidDNSyntaxError('invalid DN')],
    ['no access', new InsufficientAccessError('no read access')],
    ['no such object', new NoSuchObjectError('no such object')],
  ])('answers undefined for %s', async (_name, error) => {
    answering(async () => {
      throw error;
    });
    const reader = new DirectoryReader('corp', connection, '/tmp');
    await expect(reader.valueAt('uid=boss,ou=partner,dc=example,dc=com', 'employeeNumber')).resolves.toBeUndefined();
  });

  it('fails the pass when the directory itself fails (busy), without the password', async () => {
    answering(async () => {
      throw new BusyError('try later');
    });
    const reader = new DirectoryReader('corp', connection, '/tmp');
    const failure = await reader.valueAt('uid=boss,dc=example,dc=com', 'employeeNumber').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RosterError);
    expect(failure).toMatchObject({ code: 'source.unavailable', retryable: true });
    expect(String((failure as Error).message)).not.toContain('secret');
  });

  it('reads the key of a manager, objectGUID as a GUID, asking for it as a buffer', async () => {
    const search = vi.fn(async () => ({ searchEntries: [{ dn: 'CN=Boss,DC=example,DC=com', objectGUID: GUID_BYTES }], searchReferences: [] }));
    answering(search as unknown as DirectoryClient['search']);
    const reader = new DirectoryReader('corp', connection, '/tmp');
    await expect(reader.valueAt('CN=Boss,DC=example,DC=com', 'objectGUID')).resolves.toBe('a13c4f9a-2211-4433-5566-778899aabbcc');
    expect(search).toHaveBeenCalledWith('CN=Boss,DC=example,DC=com', expect.objectContaining({
      scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: expect.arrayContaining(['objectGUID']),
    }));
  });
});
