import type { SecretBox } from '../core/secrets.js';

/**
 * The store's secrets key, read when a change first needs it and kept; a
 * failed read is not kept, so the next change reads it again. Undefined
 * when no key was given (ExecutorOptions.secrets).
 */
export function lazySecretBox(load: (() => Promise<SecretBox>) | undefined): () => Promise<SecretBox | undefined> {
  let box: Promise<SecretBox> | undefined;
  return () => {
    if (load === undefined) return Promise.resolve(undefined);
    box ??= load().catch((error: unknown) => {
      box = undefined;
      throw error;
    });
    return box;
  };
}
