import type { TargetConfig } from '../config/types.js';
import type { Change, DesiredAccount, LinkedAccount } from '../core/types.js';
import { isSecretFingerprint, sealedFor, sealValue, type SecretBox } from '../core/secrets.js';
import { enableCarriesSecrets } from '../planner/diff.js';

/**
 * Between policy and planner: the values of each target's secret attributes
 * (TargetConfig.secrets) become fingerprints in the desired accounts, so the
 * planner compares fingerprints with the fingerprints links hold and never
 * sees a secret; the values themselves are kept here, in memory, until the
 * plan is made, and then sealed into the changes that write them.
 */
export class SecretAttributes {
  readonly #box: SecretBox;
  readonly #secrets: ReadonlyMap<string, readonly string[]>;
  /** Clear values as mapped, by target, identity and attribute, for the changes of this one plan. */
  readonly #values = new Map<string, unknown>();

  constructor(box: SecretBox, targets: readonly TargetConfig[]) {
    this.#box = box;
    this.#secrets = new Map(targets.filter((t) => (t.secrets?.length ?? 0) > 0).map((t) => [t.id, t.secrets ?? []]));
  }

  /**
   * The desired accounts with fingerprints for secret values (null stays
   * null: nothing to hide). An account whose link holds nothing for the
   * attribute (adopted by reconcile, which never takes a secret from the
   * target) keeps the secret it has: the attribute is left out, so no plan
   * writes it; but for its rehire's (or return's) enable, which carries it
   * (planner/diff.ts enableCarriesSecrets): the former password must not
   * survive a rehire, and the mapping says what it is now (the planner
   * writes it with the enable only, never as an update; the executor's link
   * then holds the fingerprint). One Roster created while the value was
   * empty holds null (executor/apply-change.ts): the value is written when
   * it comes.
   */
  hide(desired: readonly DesiredAccount[], linked: (target: string, identityId: string) => LinkedAccount | undefined): DesiredAccount[] {
    return desired.map((account) => {
      const names = this.#secrets.get(account.target);
      if (names === undefined) return account;
      const link = linked(account.target, account.identityId);
      const enabling = link !== undefined && enableCarriesSecrets(account, link);
      let attributes: Record<string, unknown> | undefined;
      for (const name of names) {
        const value = account.attributes[name];
        if (!Object.hasOwn(account.attributes, name) || isSecretFingerprint(value)) continue;
        // One the link holds nothing for (adopted): left out, but for the value a rehire's (return's) enable carries.
        // A link with a value in clear (written before the attribute was a secret) gets the fingerprint: one rewrite, same value.
        if (link !== undefined && !Object.hasOwn(link.attributes, name) && !(enabling && value !== null && value !== undefined)) {
          attributes ??= { ...account.attributes };
          delete attributes[name];
          continue;
        }
        if (value === null || value === undefined) continue;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        attributes ??= { ...account.attributes };
        attributes[name] = this.#box.fingerprint(account.target, name, text);
        this.#values.set(key(account.target, account.identityId, name), value);
      }
      if (attributes === undefined) return account;
      // `explain` says where each value came from, quoting it: never for a secret.
      const explanations = account.explanations.map((e) => {
        const name = e.subject.startsWith('attribute:') ? e.subject.slice('attribute:'.length) : undefined;
        return name !== undefined && names.includes(name) ? { ...e, detail: `a secret: ${String(attributes[name] ?? 'none')} (its value is never shown)` } : e;
      });
      return { ...account, attributes, explanations };
    });
  }

  /**
   * The changes with the secret values they write sealed into `after.sealed`
   * (a value that is not a string as `json:<sealed JSON>`, so the connector
   * gets it as mapped). A `before` that holds a secret in clear (a link
   * written before the attribute was a secret) shows its fingerprint.
   */
  seal(changes: readonly Change[]): Change[] {
    return changes.map((change) => {
      const names = this.#secrets.get(change.target);
      if (names === undefined) return change;
      const before = this.#fingerprinted(change.target, names, change.before);
      const attributes = change.after?.attributes;
      const sealed: Record<string, string> = {};
      if (attributes !== undefined) {
        for (const name of names) {
          const value = this.#values.get(key(change.target, change.identity, name));
          if (value !== undefined && isSecretFingerprint(attributes[name])) {
            sealed[name] = sealValue(this.#box, value, sealedFor(change.target, change.identity, name));
          }
        }
      }
      const after = Object.keys(sealed).length === 0 || change.after === null ? change.after : { ...change.after, sealed };
      return before === change.before && after === change.after ? change : { ...change, before, after };
    });
  }

  /** A change state with each secret value in clear replaced by its fingerprint (null, and fingerprints, stay). */
  #fingerprinted(target: string, names: readonly string[], state: Change['before']): Change['before'] {
    const attributes = state?.attributes;
    if (state === null || attributes === undefined) return state;
    let shown: Record<string, unknown> | undefined;
    for (const name of names) {
      const value = attributes[name];
      if (value === null || value === undefined || isSecretFingerprint(value)) continue;
      shown ??= { ...attributes };
      shown[name] = this.#box.fingerprint(target, name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return shown === undefined ? state : { ...state, attributes: shown };
  }
}

const key = (target: string, identity: string, attribute: string): string => `${target}\u0000${identity}\u0000${attribute}`;
