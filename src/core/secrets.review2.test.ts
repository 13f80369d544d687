import { describe, expect, it } from 'vitest';
import { escapeDnValue } from '../connectors/directory/escape.js';
import { scrubSecrets } from './secrets.js';

/**
 * Review of scrubSecrets' quoted forms (commit b16c40c). Each case is a form
 * the doc comment of quotedForms says is covered, or a value that makes the
 * scrub itself throw.
 */
describe('scrubSecrets (review 2)', () => {
  it('does not throw on a value holding a lone UTF-16 surrogate (encodeURIComponent throws URIError)', () => {
    // A JS string from JSON ("\ud800") or a CEL expression can hold one; the scrub runs in the
    // executor's catch, so a throw here replaces the connector's error with "URI malformed".
    const clear = 'pw\uD800tail';
    let scrubbed: string | undefined;
    expect(() => { scrubbed = scrubSecrets(`refused: ${clear}`, [['password', clear]]); }).not.toThrow();
    expect(scrubbed).toBe('refused: [secret password]');
  });

  it('takes out a DN value escaped the way Roster itself escapes DN values (hex pairs, directory/escape.ts)', () => {
    const clear = 'Pa,ss+w0rd=1';
    const dn = `cn=${escapeDnValue(clear)},ou=people,dc=example,dc=test`;
    expect(dn).toContain('Pa\\2css\\2bw0rd\\3d1');
    const scrubbed = scrubSecrets(`no such object: ${dn}`, [['password', clear]]);
    expect(scrubbed).not.toContain(escapeDnValue(clear));
    expect(scrubbed).toBe('no such object: cn=[secret password],ou=people,dc=example,dc=test');
  });

  it('takes out a value in a form body (application/x-www-form-urlencoded: + for a space)', () => {
    const clear = "correct horse battery staple!";
    const body = new URLSearchParams({ user: 'ada', password: clear }).toString();
    expect(body).toBe('user=ada&password=correct+horse+battery+staple%21');
    expect(scrubSecrets(`400 bad request: ${body}`, [['password', clear]])).not.toContain('battery');
  });

  it('takes out a value inside a Basic authorization header, as the doc comment says', () => {
    const clear = 'S3cret-Init-Value!';
    const header = `Basic ${Buffer.from(`ada:${clear}`, 'utf8').toString('base64')}`;
    const scrubbed = scrubSecrets(`401: sent ${header}`, [['password', clear]]);
    expect(scrubbed).not.toContain(header.slice('Basic '.length));
  });
});
