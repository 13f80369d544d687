import { describe, expect, it } from 'vitest';
import { openPostgres } from './postgres.js';

/** Opening builds a pool and connects nothing, so these need no server. */
describe('openPostgres', () => {
  const namespace = async (url: string): Promise<string> => {
    const backend = openPostgres(url);
    try {
      return backend.context.lockNamespace;
    } finally {
      await backend.close();
    }
  };

  it('gives processes on the same tables the same lock namespace, with ?schema=public or without', async () => {
    const plain = await namespace('postgres://roster@db.example:5432/roster');
    expect(await namespace('postgres://roster@db.example:5432/roster?schema=public')).toBe(plain);
    expect(await namespace('postgres://other@127.0.0.1/roster?schema=public')).toBe(plain);
    expect(await namespace('postgres://roster@db.example:5432/roster?schema=tenant_a')).not.toBe(plain);
    expect(await namespace('postgres://roster@db.example:5432/other')).not.toBe(plain);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => openPostgres('postgres://roster@db.example/roster?schema=a;drop')).toThrow(/store schema must match/);
  });
});
