import { BerReader, BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  readSyncDone, readSyncInfo, readSyncState, SYNC_OIDS, syncRequestValue, SyncDoneListener, SyncRequestControl, SyncStateListener, uuidText,
} from './sync-controls.js';

/** Values as slapd 2.5 (syncprov) sent them, captured with ldapsearch -E sync=ro. */
const SLAPD_STATE_ADD = 'MBUKAQEEEKmuprB/DRBBh6ufOZJJKUk=';
const SLAPD_DONE = 'MDkENHJpZD0wMDAsY3NuPTIwMjYxMTI4MDAyMzIxLjkzODYwM1ojMDAwMDAwIzAwMCMwMDAwMDABAf8=';
const UUID_A = Buffer.from('a84f530a7f0d10419a3d2bba09344ca3', 'hex');
const UUID_B = Buffer.from('a84f63fe7f0d10419a3e2bba09344ca3', 'hex');

function ber(build: (writer: BerWriter) => void): Buffer {
  const writer = new BerWriter();
  build(writer);
  return writer.buffer;
}

describe('Sync Request control (RFC 4533 2.2)', () => {
  it('encodes refreshOnly, with the cookie when there is one and reloadHint only when true', () => {
    expect(syncRequestValue(undefined, false).toString('hex')).toBe('30030a0101');
    expect(syncRequestValue(Buffer.from('c1'), false).toString('hex')).toBe('30070a010104026331');
    expect(syncRequestValue(Buffer.from('c1'), true).toString('hex')).toBe('300a0a0101040263310101ff');
    expect(syncRequestValue(Buffer.alloc(0), false).toString('hex')).toBe('30030a0101');
  });

  it('is sent critical under its OID', () => {
    const writer = new BerWriter();
    new SyncRequestControl({ cookie: Buffer.from('c1') }).write(writer);
    const reader = new BerReader(writer.buffer);
    reader.readSequence();
    expect(reader.readString()).toBe(SYNC_OIDS.request);
    expect(reader.readBoolean()).toBe(true);
    expect(reader.readString(0x04, true)).toEqual(syncRequestValue(Buffer.from('c1'), false));
  });
});

describe('Sync State, Sync Done and Sync Info (RFC 4533 2.3-2.5)', () => {
  it('reads a Sync State as slapd sends it', () => {
    expect(readSyncState(new BerReader(Buffer.from(SLAPD_STATE_ADD, 'base64')))).toEqual({ state: 'add', uuid: 'a9aea6b0-7f0d-1041-87ab-9f3992492949' });
    const withCookie = ber((w) => { w.startSequence(); w.writeEnumeration(3); w.writeBuffer(UUID_A, 0x04); w.writeBuffer(Buffer.from('k'), 0x04); w.endSequence(); });
    expect(readSyncState(new BerReader(withCookie))).toEqual({ state: 'delete', uuid: 'a84f530a-7f0d-1041-9a3d-2bba09344ca3', cookie: Buffer.from('k') });
  });

  it('refuses a Sync State with an unknown state or an entryUUID that is not 16 bytes', () => {
    const badState = ber((w) => { w.startSequence(); w.writeEnumeration(7); w.writeBuffer(UUID_A, 0x04); w.endSequence(); });
    const shortUuid = ber((w) => { w.startSequence(); w.writeEnumeration(1); w.writeBuffer(Buffer.alloc(15), 0x04); w.endSequence(); });
    expect(readSyncState(new BerReader(badState))).toBeUndefined();
    expect(readSyncState(new BerReader(shortUuid))).toBeUndefined();
    expect(uuidText(Buffer.alloc(17))).toBeUndefined();
  });

  it('reads a Sync Done as slapd sends it, and its defaults', () => {
    expect(readSyncDone(new BerReader(Buffer.from(SLAPD_DONE, 'base64')))).toEqual({
      cookie: Buffer.from('rid=000,csn=20261128002321.938603Z#000000#000#000000'), refreshDeletes: true,
    });
    expect(readSyncDone(new BerReader(Buffer.from('3000', 'hex')))).toEqual({ refreshDeletes: false });
  });

  it('reads the four Sync Info choices', () => {
    expect(readSyncInfo(Buffer.from('80026331', 'hex'))).toEqual({ kind: 'newcookie', cookie: Buffer.from('c1') });
    expect(readSyncInfo(Buffer.from('a100', 'hex'))).toEqual({ kind: 'refreshDelete', refreshDone: true });
    expect(readSyncInfo(Buffer.from('a20704026331010100', 'hex'))).toEqual({ kind: 'refreshPresent', cookie: Buffer.from('c1'), refreshDone: false });
    const idSet = ber((w) => {
      w.startSequence(0xa3); w.writeBuffer(Buffer.from('c2'), 0x04); w.writeBoolean(true);
      w.startSequence(0x31); w.writeBuffer(UUID_A, 0x04); w.writeBuffer(UUID_B, 0x04); w.endSequence();
      w.endSequence();
    });
    expect(readSyncInfo(idSet)).toEqual({
      kind: 'syncIdSet', cookie: Buffer.from('c2'), refreshDeletes: true,
      uuids: ['a84f530a-7f0d-1041-9a3d-2bba09344ca3', 'a84f63fe-7f0d-1041-9a3e-2bba09344ca3'],
    });
    // refreshDeletes FALSE (the default, left out): a list of who is present.
    const present = ber((w) => { w.startSequence(0xa3); w.startSequence(0x31); w.writeBuffer(UUID_A, 0x04); w.endSequence(); w.endSequence(); });
    expect(readSyncInfo(present)).toEqual({ kind: 'syncIdSet', refreshDeletes: false, uuids: ['a84f530a-7f0d-1041-9a3d-2bba09344ca3'] });
  });

  it('refuses a Sync Info it cannot read rather than guessing', () => {
    expect(readSyncInfo(Buffer.from('a400', 'hex'))).toBeUndefined();
    const shortUuid = ber((w) => { w.startSequence(0xa3); w.startSequence(0x31); w.writeBuffer(Buffer.alloc(3), 0x04); w.endSequence(); w.endSequence(); });
    expect(readSyncInfo(shortUuid)).toBeUndefined();
    // A set whose length runs past the value.
    expect(readSyncInfo(Buffer.from('a3053103040110', 'hex'))).toBeUndefined();
  });

  it('listener controls send nothing, and say when a response control was malformed', () => {
    const writer = new BerWriter();
    new SyncStateListener().write(writer);
    new SyncDoneListener().write(writer);
    expect(writer.buffer.length).toBe(0);
    const state = new SyncStateListener();
    state.parse(new BerReader(Buffer.from(SLAPD_STATE_ADD, 'base64')));
    expect(state.take()).toEqual({ value: { state: 'add', uuid: 'a9aea6b0-7f0d-1041-87ab-9f3992492949' }, malformed: false });
    expect(state.take()).toEqual({ value: undefined, malformed: false });
    const done = new SyncDoneListener();
    done.parse(new BerReader(Buffer.from('0401', 'hex')));
    expect(done.take()).toEqual({ value: undefined, malformed: true });
  });
});
