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
}

export interface SubstitutionResult {
  readonly value: unknown;
  readonly problems: readonly SubstitutionProblem[];
  /** Every substituted value, for redaction. */
  readonly secrets: readonly string[];
}

export interface SubstitutionOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;
}

/** `$${` (a literal `${`), a reference `${kind:name}`, or a `${` that starts neither (malformed). */
const REFERENCE = /\$\$\{|\$\{([A-Za-z]+):([^}]*)\}|\$\{/g;
/** Substituted words that are not secrets: scrubbing them from messages would only garble them ("expected *** or false"). */
const NOT_SECRET: ReadonlySet<string> = new Set(['true', 'false', 'null', 'yes', 'no']);

export function substitute(value: unknown, options: SubstitutionOptions): SubstitutionResult {
  const problems: SubstitutionProblem[] = [];
  const secrets: string[] = [];

  const lookup = (kind: string, name: string, path: readonly PathSegment[]): string | undefined => {
    if (name === '') {
      problems.push({ path, message: `\${${kind}:} names nothing; write \${${kind}:${kind === 'file' ? 'PATH' : 'NAME'}}` });
      return undefined;
    }
    if (kind === 'env') {
      const found = options.env[name];
      if (found === undefined) problems.push({ path, message: `environment variable ${name} is not set` });
      return found;
    }
    if (kind === 'file') {
      try {
        return readFileSync(resolve(options.baseDir, name), 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        problems.push({ path, message: `cannot read file ${name} (${code})` });
        return undefined;
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

  return { value: walk(value, []), problems, secrets };
}

/** Replace every substituted value (3 characters or more) in a message by ***. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
