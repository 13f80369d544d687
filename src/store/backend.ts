import type { StoreContext } from './context.js';

/** One opened database: the context the sub-stores share, plus its lifecycle. */
export interface Backend {
  readonly context: StoreContext;
  migrate(): Promise<void>;
  close(): Promise<void>;
}
