import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson } from './chain.js';

/**
 * docs/audit.md tells an auditor the canonical form is RFC 8785 (JCS), so
 * any JCS library can check an export: these are the RFC's own examples.
 */
describe('canonicalJson is RFC 8785 (JCS) for JSON data', () => {
  it('serialises the RFC 8785 §3.2.2 sample exactly', () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],'
      + '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
      + '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units as in RFC 8785 §3.2.3', () => {
    const input = JSON.parse('{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",'
      + '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}');
    const values = [...canonicalJson(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      'Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('hashes as docs/audit.md says: sha256 hex over the UTF-8 of prevHash then the JCS of the entry without its two hashes', () => {
    const line = { seq: 1, at: '2026-01-01T00:00:00.000Z', kind: 'identity.joiner', actor: 'source:hr', identity: 'Zoë', data: { n: 1.5, b: [true] } };
    const prev = '0'.repeat(64);
    const jcs = '{"actor":"source:hr","at":"2026-01-01T00:00:00.000Z","data":{"b":[true],"n":1.5},"identity":"Zoë","kind":"identity.joiner","seq":1}';
    expect(auditHash(prev, line)).toBe(createHash('sha256').update(Buffer.from(prev + jcs, 'utf8')).digest('hex'));
  });
});
