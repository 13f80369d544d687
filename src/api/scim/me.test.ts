import { afterEach, describe, expect, it } from 'vitest';
import { scimFixture, type ScimFixture } from './testing.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let fixture: ScimFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** RFC 7644 §3.11: a service provider that does not support /Me SHOULD answer 501 Not Implemented. */
describe('SCIM /Me', () => {
  it.each([['GET', '/scim/v2/Me'], ['GET', '/scim/v2/Me?attributes=userName'], ['PATCH', '/scim/v2/Me'], ['DELETE', '/scim/v2/me'], ['GET', '/scim/v2/Me/x']])(
    '%s %s is a SCIM 501, not a 404', async (method, url) => {
      fixture = await scimFixture('sqlite::memory:');
      const res = await fixture.app.inject({ method: method as 'GET', url, headers: fixture.headers });
      expect(res.statusCode).toBe(501);
      expect(res.json()).toMatchObject({ schemas: [ERROR], status: '501', detail: expect.stringMatching(/\/Me is not supported/) });
    },
  );

  it('still needs a token', async () => {
    fixture = await scimFixture('sqlite::memory:');
    const res = await fixture.app.inject({ method: 'GET', url: '/scim/v2/Me' });
    expect(res.statusCode).toBe(401);
  });

  it('leaves other unknown endpoints a 404', async () => {
    fixture = await scimFixture('sqlite::memory:');
    const res = await fixture.app.inject({ method: 'GET', url: '/scim/v2/Memberships', headers: fixture.headers });
    expect(res.statusCode).toBe(404);
  });
});
