import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PathSegment } from './problems.js';

/**
 * `${env:NAME}` and `${file:PATH}` in string values. PATH is relative to the
 * configuration file's directory; a file's trailing newline is dropped. `$${`
 * writes a literal `${`. What is substituted may be a secret: it is collected
 * in `secrets` so messages can be scrubbed, and never put in a message here.
 */

export interface SubstitutionProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** An unset variable or an unreadable file (not a malformed reference). */
  readonly missing?: true;
}

export interface SubstitutionResult {
  readonly value: unknown;
  readonly problems: readonly SubstitutionProblem[];
  /** Every substituted value, for redaction. */
  readonly secrets: readonly string[];
  /** References that could not be resolved where `defer` allowed it: PLACEHOLDER stands in their place. */
  readonly deferred: readonly DeferredReference[];
}

/** A `${env:NAME}` / `${file:PATH}` left unresolved for later (config/deferred.ts): what it names and why it failed, never a value. */
export interface DeferredReference {
  readonly path: readonly PathSegment[];
  /** `${env:LDAP_PASSWORD}` */
  readonly reference: string;
  /** `environment variable LDAP_PASSWORD is not set` */
  readonly message: string;
}

export interface SubstitutionOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;
  /**
   * Where an unset variable or an unreadable file is not a problem yet
   * (a connector's `connection:` block, which only the commands that open it
   * need): it is recorded in `deferred` and PLACEHOLDER is used instead.
   */
  readonly defer?: (path: readonly PathSegment[]) => boolean;
}

/** What stands in for a deferred reference: never a usable value, never handed to a connector or a source (engine/missing-secrets.ts). */
export const PLACEHOLDER = '(unresolved)';
const DEFERRED = Symbol('deferred');

/** `$${` (a literal `${`), a reference `${kind:name}`, or a `${` that starts neither (malformed). */
const REFERENCE = /\$\$\{|\$\{([A-Za-z]+):([^}]*)\}|\$\{/g;
/** Substituted words that are not secrets: scrubbing them from messages would only garble them ("expected *** or false"). */
const NOT_SECRET: ReadonlySet<string> = new Set(['true', 'false', 'null', 'yes', 'no']);

export function substitute(value: unknown, options: SubstitutionOptions): SubstitutionResult {
  const problems: SubstitutionProblem[] = [];
  const secrets: string[] = [];
  const deferred: DeferredReference[] = [];

  /** An unset variable or an unreadable file: deferred where allowed (PLACEHOLDER), else a problem. */
  const missing = (kind: string, name: string, path: readonly PathSegment[], message: string): typeof DEFERRED | undefined => {
    if (options.defer?.(path) !== true) {
      problems.push({ path, message, missing: true });
      return undefined;
    }
    deferred.push({ path, reference: `\${${kind}:${name}}`, message });
    return DEFERRED;
  };

  const lookup = (kind: string, name: string, path: readonly PathSegment[]): string | typeof DEFERRED | undefined => {
    if (name === '') {
      problems.push({ path, message: `\${${kind}:} names nothing; write \${${kind}:${kind === 'file' ? 'PATH' : 'NAME'}}` });
      return undefined;
    }
    if (kind === 'env') {
      const found = options.env[name];
      return found ?? missing(kind, name, path, `environment variable ${name} is not set`);
    }
    if (kind === 'file') {
      try {
        return readFileSync(resolve(options.baseDir, name), 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return missing(kind, name, path, `cannot read file ${name} (${code})`);
      }
    }
    problems.push({ path, message: `unknown substitution \${${kind}:…}; use \${env:NAME} or \${file:PATH}` });
    return undefined;
  };

  const walk = (node: unknown, path: readonly PathSegment[]): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      let malformed = false;
      const out = node.replace(REFERENCE, (whole, kind: string | undefined, name: string | undefined) => {
        if (whole === '$${') return '${';
        if (kind === undefined || name === undefined) {
          // `${DB_PASSWORD}` (shell style) or `${env:DB_PASSWORD` (no brace): never used as the literal text.
          malformed = true;
          return '';
        }
        const found = lookup(kind, name.trim(), path);
        if (found === undefined) return '';
        if (found === DEFERRED) return PLACEHOLDER;
        if (!NOT_SECRET.has(found.toLowerCase())) secrets.push(found);
        return found;
      });
      if (!malformed) return out;
      problems.push({ path, message: 'malformed ${…} reference: write ${env:NAME} or ${file:PATH}, and $${ for a literal ${' });
      return '';
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        // Assigned, `__proto__` would set the object's prototype: its keys would be read as inherited
        // settings, and the key itself would never be reported as unknown.
        if (key === '__proto__') {
          problems.push({ path: [...path, key], message: "the key '__proto__' is not allowed" });
          continue;
        }
        out[key] = walk(item, [...path, key]);
      }
      return out;
    }
    return node;
  };

  return { value: walk(value, []), problems, secrets, deferred };
}

/** Replace every substituted value (3 characters or more) in a message by ***. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
