import { RosterError } from '../core/errors.js';
import { describe, expect, it } from 'vitest';
import type { Change } from '../core/types.js';
import { followUpReported, onlyAttributes } from './follow-up.js';

const update = (before: Record<string, unknown>, after: Record<string, unknown>, extra: Partial<Change> = {}): Change => ({
  id: 'app:E2:update', identity: 'E2', target: 'app', action: 'update',
  before: { accountId: 'grace', attributes: before }, after: { accountId: 'grace', attributes: after }, reasons: ['mapping.changed'], ...extra,
});

describe('onlyAttributes (the follow-up keeps only the deferred references)', () => {
  const names = new Set(['manager', 'managerName']);

  it('keeps an update that writes only reference attributes as it is', () => {
    const change = update({ manager: '' }, { manager: 'ada' });
    expect(onlyAttributes(change, names)).toBe(change);
  });

  it('drops the other attributes, their sealed values and a rename they carried', () => {
    const change = update({ manager: '', title: 'Dev', username: 'grace' }, { manager: 'ada', title: 'Lead', username: 'grace2', password: 'fp' }, {
      after: { accountId: 'grace2', attributes: { manager: 'ada', title: 'Lead', username: 'grace2', password: 'fp' }, sealed: { password: 'sealed' } },
    });
    expect(onlyAttributes(change, names)).toEqual({ ...change, before: { accountId: 'grace', attributes: { manager: '' } }, after: { accountId: 'grace', attributes: { manager: 'ada' } } });
  });

  it('keeps a sealed value of a reference attribute; nothing when no reference attribute is written', () => {
    const change = update({ managerName: '' }, { managerName: 'fp', title: 'Lead' }, {
      after: { accountId: 'grace', attributes: { managerName: 'fp', title: 'Lead' }, sealed: { managerName: 'sealed' } },
    });
    expect(onlyAttributes(change, names)?.after).toEqual({ accountId: 'grace', attributes: { managerName: 'fp' }, sealed: { managerName: 'sealed' } });
    expect(onlyAttributes(update({ title: 'Dev' }, { title: 'Lead' }), names)).toBeUndefined();
    expect(onlyAttributes(update({}, {}), names)).toBeUndefined();
    expect(onlyAttributes(update({ manager: '' }, { manager: 'ada' }), undefined)).toBeUndefined();
  });
});

describe('followUpReported', () => {
  it('a follow-up that fails (a store error) is logged and said in the result, never thrown over the plan it follows', async () => {
    const logged: unknown[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string, fields?: unknown) => void logged.push([message, fields]) };
    const plan = {
      id: 'first', createdAt: '', basis: 1, changes: [], summary: {}, held: false, holds: [],
      diagnostics: [{ severity: 'info' as const, code: 'reference.deferred', target: 'app', identities: ['E2'], message: '' }],
    };
    const result = await followUpReported(plan, 't', {
      compute: () => Promise.reject(new Error('database is locked')), save: async () => undefined, audit: async () => undefined,
      apply: () => Promise.reject(new Error('not reached')), references: new Map(), log,
    });
    expect(result).toEqual({ planId: '', changes: 0, applied: 0, failed: 0, pending: 0, errors: [], error: 'internal error (the server log says more)' });
    expect(logged).toEqual([[expect.stringContaining('follow-up plan'), { planId: 'first', error: 'database is locked' }]]);
  });

  it('says a RosterError\'s own message, which is written for people (review19)', async () => {
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const plan = {
      id: 'first', createdAt: '', basis: 1, changes: [], summary: {}, held: false, holds: [],
      diagnostics: [{ severity: 'info' as const, code: 'reference.deferred', target: 'app', identities: ['E2'], message: '' }],
    };
    const busy = new RosterError('store.unavailable', 'the store is busy: another process holds its write lock', { retryable: true });
    const result = await followUpReported(plan, 't', {
      compute: () => Promise.reject(busy), save: async () => undefined, audit: async () => undefined,
      apply: () => Promise.reject(new Error('not reached')), references: new Map(), log,
    });
    expect(result?.error).toBe('the store is busy: another process holds its write lock');
  });
});
