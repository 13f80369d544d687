import type { Attributes, Identity, LinkedAccount } from '../core/types.js';
import { merge } from '../lifecycle/merge-fixtures.js';
import { desiredOne } from './policy-fixtures.js';
import { link, person } from './test-config.js';

/** For the rehire tests: HR rows run through the real merge, and the policy asked about the account a disable left. */

export const at = (iso: string): Date => new Date(iso);

/** The identity after each row, merged at its instant, in turn. */
export function history(steps: readonly (readonly [string, Attributes])[]): Identity {
  let stored: Identity | undefined;
  for (const [when, row] of steps) {
    const result = merge([row], { existing: stored === undefined ? [] : [stored], now: at(when) });
    stored = result.upserts[0] ?? stored;
  }
  return stored!;
}

/** e1's account, disabled at `iso`. */
export const disabledOn = (iso: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount =>
  link('e1', { enabled: false, createdAt: '2020-03-01T08:00:00.000Z', disabledAt: iso, ...overrides });

/** The reasons the policy gives the identity's account (none linked: undefined) at `now`. */
export const reasonsOf = (identity: Identity, account: LinkedAccount | undefined, now: string): readonly string[] =>
  desiredOne(identity, { links: account === undefined ? [] : [account], now: at(now) }).reasons;

/** e1, hired on 2020-03-01. */
export const HIRED = person('e1', { startDate: '2020-03-01' });
