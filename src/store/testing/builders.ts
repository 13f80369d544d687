import type { Change, Identity, LinkedAccount, Plan } from '../../core/types.js';
import type { EnqueueJob } from '../types.js';

/** Plain data builders for store tests (the conformance suite and anyone testing on a real store). */

export const T0 = '2024-03-01T09:00:00.000Z';

export function identity(id: string, overrides: Partial<Identity> = {}): Identity {
  return {
    id,
    sourceId: 'hr',
    attributes: { givenName: `Given ${id}`, familyName: 'Doe', nested: { list: [1, 'two', null], flag: true }, unicode: 'Zoë 山田', tricky: 'back\\slash "quote" {brace}, comma\ttab\nNULL' },
    state: 'active',
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function account(target: string, identityId: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount {
  return {
    target,
    identityId,
    accountId: `${target}-${identityId}`,
    attributes: { username: identityId.toLowerCase(), mail: `${identityId}@example.com` },
    entitlements: ['staff', 'cn=eng,ou=groups'],
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function change(target: string, who: string, action: Change['action'] = 'create'): Change {
  return {
    id: `${target}:${who}:${action}`,
    identity: who,
    target,
    action,
    before: null,
    after: { accountId: `${target}-${who}`, enabled: true, attributes: { username: who } },
    reasons: ['joiner'],
  };
}

export function job(id: string, target: string, who: string, seq: number, planId = 'p1'): EnqueueJob {
  return { id, planId, change: change(target, who), target, orderingKey: `${target}:${who}`, seq };
}

export function plan(id: string, createdAt: string, changes: readonly Change[] = [change('app', 'E1')]): Plan {
  return {
    id,
    createdAt,
    basis: 42,
    changes,
    summary: { create: changes.length },
    held: false,
    holds: [],
    diagnostics: [{ severity: 'warning', code: 'mapping.empty', message: 'email is empty', identity: 'E1', target: 'app' }],
  };
}

export const at = (ms: number): Date => new Date(Date.parse('2030-01-01T00:00:00.000Z') + ms);
