import type { Store } from './types.js';
import { createAccountStore } from './accounts.js';
import { createAuditStore } from './audit.js';
import type { Backend } from './backend.js';
import { createIdentityStore } from './identities.js';
import { createPlanStore } from './plans.js';
import { createQueueStore } from './queue.js';
import { createScimStore } from './scim.js';
import { createStateStore } from './state.js';
import { createTokenStore } from './tokens.js';

/** The Store over one backend: every sub-store shares the backend's context. */
export function createSqlStore(backend: Backend): Store {
  const ctx = backend.context;
  let closed: Promise<void> | undefined;
  return Object.freeze({
    dialect: ctx.dialect,
    identities: createIdentityStore(ctx),
    accounts: createAccountStore(ctx),
    plans: createPlanStore(ctx),
    queue: createQueueStore(ctx),
    audit: createAuditStore(ctx),
    tokens: createTokenStore(ctx),
    state: createStateStore(ctx),
    scim: createScimStore(ctx),
    migrate: () => backend.migrate(),
    close: () => (closed ??= backend.close()),
  });
}
