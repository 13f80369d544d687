/** Test helpers for policy tests. */
import type { RosterConfig } from '../config/types.js';
import type { DesiredAccount, Diagnostic, Identity, LinkedAccount } from '../core/types.js';
import { compilePolicy } from './index.js';
import { NOW, testConfig } from './test-config.js';
import { UniqueIndex } from './unique.js';

export interface DesiredOptions {
  readonly links?: readonly LinkedAccount[];
  /** Every linked account in the store (default: `links`). */
  readonly all?: readonly LinkedAccount[];
  readonly now?: Date;
  readonly manager?: Identity;
  readonly unique?: UniqueIndex;
  readonly diagnostics?: Diagnostic[];
}

/** Desired accounts of one identity under `config`. */
export function desiredOf(identity: Identity, options: DesiredOptions = {}, config: RosterConfig = testConfig()): DesiredAccount[] {
  const links = options.links ?? [];
  const policy = compilePolicy(config);
  return policy.desired(identity, {
    now: options.now ?? NOW,
    linked: new Map(links.filter((l) => l.identityId === identity.id).map((l) => [l.target, l])),
    unique: options.unique ?? UniqueIndex.fromAccounts(options.all ?? links, config),
    ...(options.manager === undefined ? {} : { manager: options.manager }),
    ...(options.diagnostics === undefined ? {} : { diagnostics: options.diagnostics }),
  });
}

/** The one desired account (single-target configs). */
export function desiredOne(identity: Identity, options: DesiredOptions = {}, config: RosterConfig = testConfig()): DesiredAccount {
  const [first] = desiredOf(identity, options, config);
  if (!first) throw new Error('no desired account');
  return first;
}
