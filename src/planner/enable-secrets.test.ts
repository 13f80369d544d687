import { describe, expect, it } from 'vitest';
import { link, testTarget } from '../policy/test-config.js';
import { planOf, want } from './plan-fixtures.js';

const FINGERPRINT = 'secret:v1:abc';
const withPassword = (reasons: string[]) => want('e1', { reasons, attributes: { username: 'e1', email: 'e1@example.com', password: FINGERPRINT } });
const disabled = link('e1', { enabled: false, attributes: { username: 'e1', email: 'e1@example.com', password: FINGERPRINT } });
const targets = [{ ...testTarget(), secrets: ['password'] }];

describe('plan: the secret attributes ride on an enable', () => {
  it('a rehire\'s enable carries the secret attributes\' fingerprints, for the connector to write them again', () => {
    const p = planOf([withPassword(['rehire'])], [disabled], { targets });
    expect(p.changes).toEqual([expect.objectContaining({ action: 'enable', after: { accountId: 'e1', enabled: true, attributes: { password: FINGERPRINT } } })]);
  });

  it('so does any other enable (the connector decides by users.passwordOnEnable)', () => {
    const p = planOf([withPassword(['active'])], [disabled], { targets });
    expect(p.changes[0]?.after).toEqual({ accountId: 'e1', enabled: true, attributes: { password: FINGERPRINT } });
  });

  it('a joiner\'s first-day enable carries none: it keeps the password its create wrote', () => {
    const p = planOf([withPassword(['joiner'])], [disabled], { targets });
    expect(p.changes[0]?.after).toEqual({ accountId: 'e1', enabled: true });
  });

  it('a target without secrets gets a bare enable', () => {
    const p = planOf([withPassword(['rehire'])], [disabled]);
    expect(p.changes[0]?.after).toEqual({ accountId: 'e1', enabled: true });
  });
});
