import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { BULK_REQUEST_SCHEMA, parseBulkPath, parseBulkRequest, planBulk, referencedBulkIds, resolveBulkIds } from './bulk-plan.js';

const request = (Operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK_REQUEST_SCHEMA], Operations, ...extra });
const post = (bulkId: string, data: unknown = {}) => ({ method: 'POST', path: '/Groups', bulkId, data });

describe('parseBulkRequest (RFC 7644 §3.7)', () => {
  it('reads operations and failOnErrors', () => {
    const parsed = parseBulkRequest(request([post('a'), { method: 'delete', path: '/Users/1', version: 'W/"2"' }], { failOnErrors: 2 }), 10);
    expect(parsed.failOnErrors).toBe(2);
    expect(parsed.operations[1]).toEqual({ index: 1, method: 'DELETE', path: '/Users/1', version: 'W/"2"' });
  });

  it('refuses more operations than maxOperations with 413', () => {
    try {
      parseBulkRequest(request([post('a'), post('b')]), 1);
      expect.unreachable();
    } catch (error) {
      expect(error instanceof RosterError && error.code).toBe('request.too_large');
    }
  });

  it('refuses a request without the BulkRequest schema, Operations, or with a bad failOnErrors', () => {
    expect(() => parseBulkRequest({ Operations: [] }, 10)).toThrow(/schemas/);
    expect(() => parseBulkRequest({ schemas: [BULK_REQUEST_SCHEMA] }, 10)).toThrow(/Operations/);
    expect(() => parseBulkRequest(request([], { failOnErrors: 0 }), 10)).toThrow(/failOnErrors/);
    expect(() => parseBulkRequest(request([post('a'), post('a')]), 10)).toThrow(/more than one/);
  });

  it('keeps the fault of one operation on that operation', () => {
    const { operations } = parseBulkRequest(request([{ method: 'GET', path: '/Users' }, { method: 'POST', path: '/Users', data: {} }, 'x', post('ok')]), 10);
    expect(operations.map((operation) => operation.problem?.details?.scimType)).toEqual(['invalidValue', 'invalidSyntax', 'invalidSyntax', undefined]);
  });
});

describe('bulkId references', () => {
  it('finds and resolves references at any depth, in paths and data', () => {
    const data = { members: [{ value: 'bulkId:u1' }, { value: 'x' }], nested: { deep: ['bulkId:u2'] }, note: 'not bulkId:u3' };
    expect([...referencedBulkIds(data)]).toEqual(['u1', 'u2']);
    expect(resolveBulkIds(data, (id) => `id-${id}`)).toEqual({ members: [{ value: 'id-u1' }, { value: 'x' }], nested: { deep: ['id-u2'] }, note: 'not bulkId:u3' });
    expect(resolveBulkIds('/Groups/bulkId:g', () => 'never')).toBe('/Groups/bulkId:g');
  });

  it('runs a POST before an earlier operation that refers to it', () => {
    const { operations } = parseBulkRequest(request([
      { method: 'PATCH', path: '/Groups/bulkId:g', data: { Operations: [] } },
      post('u', {}),
      post('g', { members: [{ value: 'bulkId:u' }] }),
    ]), 10);
    expect(planBulk(operations)).toEqual({ order: [1, 2, 0], circular: [] });
  });

  it('refuses operations caught in a cycle and those waiting on it, runs the rest', () => {
    const { operations } = parseBulkRequest(request([
      post('a', { members: [{ value: 'bulkId:b' }] }),
      post('b', { members: [{ value: 'bulkId:a' }] }),
      { method: 'DELETE', path: '/Groups/bulkId:a' },
      post('c', { members: [{ value: 'bulkId:nobody' }] }),
      post('self', { members: [{ value: 'bulkId:self' }] }),
    ]), 10);
    expect(planBulk(operations)).toEqual({ order: [3], circular: [0, 1, 2, 4] });
  });
});

describe('parseBulkPath', () => {
  it('splits endpoint and id', () => {
    expect(parseBulkPath('/Users')).toEqual({ endpoint: 'Users' });
    expect(parseBulkPath('Groups/abc')).toEqual({ endpoint: 'Groups', id: 'abc' });
    expect(() => parseBulkPath('/Users/a/b')).toThrow(/not a resource/);
    expect(() => parseBulkPath('/')).toThrow(/not a resource/);
  });
});
