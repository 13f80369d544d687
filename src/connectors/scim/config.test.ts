import { describe, expect, it } from 'vitest';
import { scimConnectionSchema } from './config.js';

const base = { baseUrl: 'https://app.example.com/scim/v2', auth: { type: 'bearer', token: 't0ken' } };

describe('scimConnectionSchema', () => {
  it('fills the defaults', () => {
    const config = scimConnectionSchema.parse(base);
    expect(config).toMatchObject({ profile: 'generic', concurrency: 4, maxRetries: 2, matchBy: ['userName', 'externalId', 'emails'], groups: { createMissing: false } });
    expect(config.mapping.email).toBe('emails[type eq "work"].value');
  });

  it('requires https unless allowInsecureHttp is set', () => {
    const insecure = { ...base, baseUrl: 'http://127.0.0.1:8080/scim/v2' };
    expect(scimConnectionSchema.safeParse(insecure).success).toBe(false);
    expect(scimConnectionSchema.safeParse({ ...insecure, allowInsecureHttp: true }).success).toBe(true);
    const oauth = { ...base, auth: { type: 'oauth2', tokenUrl: 'http://idp.example.com/token', clientId: 'c', clientSecret: 's' } };
    expect(scimConnectionSchema.safeParse(oauth).success).toBe(false);
  });

  it('refuses unknown keys, unknown profiles, bad paths and a mapping without userName', () => {
    expect(scimConnectionSchema.safeParse({ ...base, token: 'x' }).success).toBe(false);
    expect(scimConnectionSchema.safeParse({ ...base, profile: 'okta' }).success).toBe(false);
    expect(scimConnectionSchema.safeParse({ ...base, mapping: { username: 'userName', email: 'emails[type co "w"]' } }).success).toBe(false);
    expect(scimConnectionSchema.safeParse({ ...base, mapping: { email: 'emails.value' } }).success).toBe(false);
  });
});
