import type { FollowUpResult } from '../../engine/types.js';
import type { ScimResource, Store } from '../../store/types.js';
import type { ScimCapabilities, ScimRegistry } from '../../scim/resource/types.js';

/** Options of the SCIM server plugin, registered with prefix `/scim/v2` by src/api/server.ts. */
export interface ScimServerOptions {
  /** store.scim holds the resources; tokens are checked by the shared auth hook (scope `scim`). */
  readonly store: Store;
  readonly registry: ScimRegistry;
  readonly capabilities: ScimCapabilities;
  /** Per-token rate limit (token bucket): sustained requests per second and burst. Default 200/s, burst 400. */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
  /** Largest body accepted on /scim/v2 (413 above it). Default 1 MiB; /Bulk uses capabilities.bulk.maxPayloadSize. */
  readonly bodyLimit?: number;
  /**
   * Inbound provisioning: called after every committed write of a User
   * (create, replace, patch, delete; bulk operations one by one), before the
   * response is sent, so a deactivation has reached the targets when the
   * client hears back. A failure here is logged and does not undo the write
   * (the next scheduled sync of the SCIM source picks it up). What it
   * returns goes to the request log only: a SCIM response stays RFC 7644's.
   */
  readonly onUserChange?: (change: ScimUserChange, actor: string) => Promise<ScimUserChangeOutcome | void>;
  readonly now?: () => Date;
}

export type ScimUserChange =
  | { readonly kind: 'upsert'; readonly resource: ScimResource }
  | { readonly kind: 'delete'; readonly id: string };

/** What inbound provisioning did with a User change, for the request log (notify.ts). */
export interface ScimUserChangeOutcome {
  /** The plan applied for the person (absent when the write changed nothing of them). */
  readonly planId?: string;
  /** Its follow-up plan, setting the manager references it deferred (engine/follow-up.ts); absent when there was none. */
  readonly followUp?: FollowUpResult;
}
