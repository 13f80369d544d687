/**
 * For an AD e2e file's `vi.mock('../../src/connectors/ad/password.js', …)`
 * (hoisted, so it stays in the file; its factory imports this): the module
 * as it is, but every initial password the connector generates is pushed onto
 * `into`, for the test to bind with it and to look for it in every output.
 * Imports nothing of the module it wraps (it is being mocked).
 */
type PasswordModule = typeof import('../../src/connectors/ad/password.js');

export function recordingPasswords(original: PasswordModule, into: string[]): PasswordModule {
  return {
    ...original,
    initialPassword: (...args: Parameters<PasswordModule['initialPassword']>) => {
      const password = original.initialPassword(...args);
      into.push(password);
      return password;
    },
  };
}
