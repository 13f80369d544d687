import { RosterError } from '../../core/errors.js';
import type { Attributes, TargetAccount } from '../../core/types.js';
import type { AccountSpec, Connector, ConnectorCapabilities } from '../types.js';
import type { MemoryTarget, StoredAccount } from './memory-target.js';

/** A Connector over a MemoryTarget: same semantics as a real target, idempotent writes included. */
export class MemoryConnector implements Connector {
  readonly kind = 'memory';
  readonly capabilities: ConnectorCapabilities = { entitlements: true, disable: true, delete: true };
  readonly #target: MemoryTarget;

  constructor(target: MemoryTarget) {
    this.#target = target;
  }

  check(): Promise<void> {
    return this.#target.run('check', () => undefined);
  }

  async *list(): AsyncIterable<TargetAccount> {
    const ids = await this.#target.run('list', () => [...this.#target.accounts.keys()].sort());
    for (const id of ids) {
      const account = this.#target.snapshot(id);
      if (account !== undefined) yield account;
    }
  }

  get(accountId: string): Promise<TargetAccount | undefined> {
    return this.#target.run('get', () => this.#target.snapshot(accountId));
  }

  create(spec: AccountSpec): Promise<TargetAccount> {
    return this.#target.run('create', () => {
      const key = spec.attributes[this.#target.key];
      if (typeof key !== 'string' || key === '') {
        throw new RosterError('target.rejected', `create on ${this.#target.id}: attribute ${this.#target.key} (the account key) must be a non-empty string`);
      }
      const existing = this.#target.accounts.get(key);
      const account: StoredAccount = existing ?? { attributes: {}, enabled: spec.enabled, entitlements: new Set() };
      applyAttributes(account, spec.attributes);
      account.enabled = spec.enabled;
      this.#target.accounts.set(key, account);
      return this.#target.snapshot(key) as TargetAccount;
    });
  }

  update(accountId: string, attributes: Attributes): Promise<void> {
    return this.#target.run('update', () => {
      const account = this.#require(accountId, 'update');
      const newKey = attributes[this.#target.key];
      if (newKey !== undefined && newKey !== accountId) {
        if (typeof newKey !== 'string' || newKey === '') throw new RosterError('target.rejected', `update on ${this.#target.id}: the account key cannot be cleared`);
        if (this.#target.accounts.has(newKey)) throw new RosterError('target.rejected', `update on ${this.#target.id}: account ${newKey} already exists`);
        this.#target.accounts.delete(accountId);
        this.#target.accounts.set(newKey, account);
      }
      applyAttributes(account, attributes);
    });
  }

  setEnabled(accountId: string, enabled: boolean): Promise<void> {
    return this.#target.run('setEnabled', () => {
      this.#require(accountId, 'setEnabled').enabled = enabled;
    });
  }

  delete(accountId: string): Promise<void> {
    return this.#target.run('delete', () => {
      this.#target.accounts.delete(accountId);
    });
  }

  grant(accountId: string, entitlement: string): Promise<void> {
    return this.#target.run('grant', () => {
      this.#require(accountId, 'grant').entitlements.add(entitlement);
    });
  }

  revoke(accountId: string, entitlement: string): Promise<void> {
    return this.#target.run('revoke', () => {
      this.#target.accounts.get(accountId)?.entitlements.delete(entitlement);
    });
  }

  async close(): Promise<void> {}

  #require(accountId: string, operation: string): StoredAccount {
    const account = this.#target.accounts.get(accountId);
    if (account === undefined) {
      throw new RosterError('target.not_found', `${operation} on ${this.#target.id}: no account ${accountId}`);
    }
    return account;
  }
}

function applyAttributes(account: StoredAccount, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined) delete account.attributes[name];
    else account.attributes[name] = structuredClone(value);
  }
}
