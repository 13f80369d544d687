/**
 * Orphans are no identity's: their changes (disable, delete) carry this
 * pseudo-identity so the queue orders them per account. Applying one must
 * not link the account to it (it would stop being an orphan).
 */
const PREFIX = 'orphan:';

export const orphanIdentity = (accountId: string): string => `${PREFIX}${accountId}`;

export const isOrphanIdentity = (identityId: string): boolean => identityId.startsWith(PREFIX);
