import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The installed ldapts version, from its package.json next to the module (its exports do not include package.json). */
function installedLdaptsVersion(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('ldapts');
    const json = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return json.name === 'ldapts' && typeof json.version === 'string' ? json.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The installed ldapts version. Code that uses ldapts internals (which no
 * public API offers) checks its major against the majors it was checked on
 * (see modify-dn.ts and paged-search.ts).
 */
export const LDAPTS_VERSION = installedLdaptsVersion();

/** Whether `version` (e.g. `8.2.0`) is of one of `majors`; an unreadable version is of none. */
export function isCheckedMajor(version: string | undefined, majors: readonly number[]): boolean {
  return majors.includes(Number(/^(\d+)\./.exec(version ?? '')?.[1]));
}
