import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { listParamsFromQuery, listParamsFromSearch, SEARCH_REQUEST_SCHEMA } from './list-params.js';

function scimTypeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (error instanceof RosterError && error.code === 'request.invalid') return error.details?.scimType;
    throw error;
  }
  return 'no error';
}

describe('list parameters (RFC 7644 §3.4.2)', () => {
  it('defaults to the first page of maxResults, ascending', () => {
    expect(listParamsFromQuery({}, 100)).toEqual({ descending: false, startIndex: 1, count: 100 });
  });

  it('treats startIndex < 1 as 1, a negative count as 0 and clamps count to maxResults', () => {
    expect(listParamsFromQuery({ startIndex: '0', count: '-4' }, 100)).toMatchObject({ startIndex: 1, count: 0 });
    expect(listParamsFromQuery({ startIndex: '-20', count: '5000' }, 100)).toMatchObject({ startIndex: 1, count: 100 });
    expect(listParamsFromQuery({ startIndex: '11', count: '10' }, 100)).toMatchObject({ startIndex: 11, count: 10 });
  });

  it('reads sortOrder case-insensitively and refuses other values', () => {
    expect(listParamsFromQuery({ sortBy: 'userName', sortOrder: 'Descending' }, 10)).toMatchObject({ sortBy: 'userName', descending: true });
    expect(scimTypeOf(() => listParamsFromQuery({ sortOrder: 'up' }, 10))).toBe('invalidValue');
  });

  it('refuses non-integers and repeated parameters', () => {
    expect(scimTypeOf(() => listParamsFromQuery({ count: '1e3' }, 10))).toBe('invalidValue');
    expect(scimTypeOf(() => listParamsFromQuery({ startIndex: 'abc' }, 10))).toBe('invalidValue');
    expect(scimTypeOf(() => listParamsFromQuery({ filter: ['a', 'b'] }, 10))).toBe('invalidValue');
  });

  it('drops an empty filter and keeps attributes as given', () => {
    expect(listParamsFromQuery({ filter: '  ', attributes: 'userName,emails', excludedAttributes: 'groups' }, 10)).toEqual({
      descending: false, startIndex: 1, count: 10, attributes: 'userName,emails', excludedAttributes: 'groups',
    });
  });

  it('reads a SearchRequest body the same way as the query string', () => {
    const fromBody = listParamsFromSearch({
      schemas: [SEARCH_REQUEST_SCHEMA], filter: 'userName sw "a"', attributes: ['userName', 'name.familyName'], startIndex: 2, count: 3, sortBy: 'userName',
    }, 50);
    const fromQuery = listParamsFromQuery({ filter: 'userName sw "a"', attributes: 'userName,name.familyName', startIndex: '2', count: '3', sortBy: 'userName' }, 50);
    expect(fromBody).toEqual(fromQuery);
  });

  it('refuses a body that is not a SearchRequest', () => {
    expect(scimTypeOf(() => listParamsFromSearch([], 10))).toBe('invalidSyntax');
    expect(scimTypeOf(() => listParamsFromSearch({ filter: 'x' }, 10))).toBe('invalidSyntax');
    expect(scimTypeOf(() => listParamsFromSearch({ schemas: [SEARCH_REQUEST_SCHEMA], count: 1.5 }, 10))).toBe('invalidValue');
  });
});

describe('cursor parameter (RFC 9865)', () => {
  it('keeps a cursor, even an empty one (the first page), from a query string or a SearchRequest', () => {
    expect(listParamsFromQuery({ cursor: '', count: '10' }, 100)).toMatchObject({ cursor: '', count: 10, startIndex: 1 });
    expect(listParamsFromQuery({ cursor: 'abc.def' }, 100)).toMatchObject({ cursor: 'abc.def' });
    expect(listParamsFromQuery({}, 100)).not.toHaveProperty('cursor');
    expect(listParamsFromSearch({ schemas: [SEARCH_REQUEST_SCHEMA], cursor: '' }, 100)).toMatchObject({ cursor: '' });
  });

  it('refuses startIndex together with cursor, and a cursor that is not one string', () => {
    expect(scimTypeOf(() => listParamsFromQuery({ cursor: '', startIndex: '1' }, 100))).toBe('invalidValue');
    expect(scimTypeOf(() => listParamsFromSearch({ schemas: [SEARCH_REQUEST_SCHEMA], cursor: 'x', startIndex: 5 }, 100))).toBe('invalidValue');
    expect(scimTypeOf(() => listParamsFromQuery({ cursor: ['a', 'b'] }, 100))).toBe('invalidValue');
  });
});
