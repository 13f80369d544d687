import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../config/types.js';
import { readDirectorySource } from './read.js';

/** A directory source read over plain ldap:// from another host says so, once a process (not at every pass). */
describe('a directory source without TLS', () => {
  it('warns once that the bind password crosses the network in clear', async () => {
    const source = {
      id: 'corp-insecure', type: 'ldap', key: 'employeeNumber', complete: true, attributes: {}, fields: {},
      connection: { url: 'ldap://ldap.invalid:389', bindDN: 'cn=admin', password: 'x', base: 'dc=example', startTLS: false, pageSize: 500, timeoutMs: 500, connectTimeoutMs: 500, poolSize: 1 },
    } as unknown as SourceConfig;
    const warnings: string[] = [];
    const log = { warn: (message: string) => { warnings.push(message); } };
    for (let pass = 0; pass < 2; pass++) {
      await expect(readDirectorySource(source, { mode: 'full', previous: undefined, baseDir: '.', log })).rejects.toThrow();
    }
    expect(warnings.filter((w) => w.includes('not encrypted'))).toHaveLength(1);
  });
});
