import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { storableText } from '../core/text.js';
import { verifyAudit } from './verify.js';

/**
 * Text fields a text column cannot hold as given (a lone surrogate, NUL),
 * on every back end: the entry is hashed as it is stored, so verify never
 * calls an untouched entry altered and the append never fails.
 */
describe.each(storeBackEnds('roster-audit-text'))('audit text fields: $name', (backEnd) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await backEnd.open();
  });
  afterEach(async () => {
    await opened.close();
  });

  it.each([
    ['a lone high surrogate in actor', { actor: 'token:bad\ud800' }],
    ['a lone low surrogate in identity', { identity: 'E\udc001' }],
    ['NUL in identity', { identity: 'E\u00001' }],
    ['a lone surrogate in target and kind', { target: 'app\udbff', kind: 'push.skipped\udfff' }],
  ])('%s: appended, read back as stored, and verified intact', async (_, fields) => {
    const input = { kind: 'push.skipped', actor: 'token:hr', identity: 'E1', target: 'app', data: { raw: 'x\ud800\u0000' }, ...fields };
    const [returned] = await opened.store.audit.append([input, { kind: 'plan.created', actor: 'system' }]);
    const [read] = await opened.store.audit.list({ limit: 1 });
    expect(read).toEqual(returned);
    expect(read!.identity).toBe(storableText(input.identity));
    expect(read!.data).toEqual({ raw: 'x\ud800\u0000' }); // JSON fields keep them
    expect(await verifyAudit(opened.store)).toMatchObject({ ok: true, entries: 2 });
  });

  it('leaves well-formed text alone, astral characters and combining marks included', () => {
    for (const text of ['E1', 'e\u0301', '😀', 'Zoë', '']) expect(storableText(text)).toBe(text);
    expect(storableText('a\ud800b\udc00\u0000')).toBe('a\ufffdb\ufffd\ufffd');
  });
});

/** A JSON column edited by SQL into text that is not JSON: verify names the entry instead of failing with a parse error. */
describe.each(storeBackEnds('roster-audit-unreadable'))('verify over an unreadable entry: $name', (backEnd) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await backEnd.open();
    await opened.store.audit.append(Array.from({ length: 1500 }, (_, n) => ({ kind: 'change.applied', actor: 'executor:w', reasons: ['r'], data: { n } })));
  });
  afterEach(async () => {
    await opened.close();
  });

  it('names the entry whose data is not JSON', async () => {
    await sql`update roster_audit set data = '{"n":' where seq = 1200`.execute(opened.db);
    expect(await verifyAudit(opened.store)).toEqual({
      ok: false, entries: 1200, firstBad: { seq: 1200, reason: 'its data is not JSON: the entry was altered after it was written' },
    });
  });

  it('names an earlier break in the same batch first', async () => {
    await sql`update roster_audit set reasons = 'not json' where seq = 1400`.execute(opened.db);
    await sql`update roster_audit set actor = 'someone else' where seq = 1100`.execute(opened.db);
    expect(await verifyAudit(opened.store)).toMatchObject({ ok: false, firstBad: { seq: 1100, reason: 'hash mismatch: the entry was altered after it was written' } });
  });
});
