import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RosterError } from '../core/errors.js';
import { employeesCsv, ROSTER_YAML } from './init-template.js';

/**
 * `roster init DIR`: a working starting point. Writes DIR/roster.yaml
 * (commented line by line) and DIR/hr/employees.csv, and creates DIR/data for
 * the SQLite files. Refuses to overwrite an existing file.
 */
export async function initProject(dir: string, options: { readonly today?: Date } = {}): Promise<{ files: string[] }> {
  const root = resolve(dir);
  const files: ReadonlyArray<readonly [string, string]> = [
    [join(root, 'roster.yaml'), ROSTER_YAML],
    [join(root, 'hr', 'employees.csv'), employeesCsv(options.today ?? new Date())],
  ];
  for (const [file] of files) {
    if (await exists(file)) {
      throw new RosterError('request.invalid', `${file} already exists; roster init does not overwrite files`);
    }
  }
  await mkdir(join(root, 'hr'), { recursive: true });
  await mkdir(join(root, 'data'), { recursive: true });
  for (const [file, content] of files) {
    try {
      await writeFile(file, content, { flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message = code === 'EEXIST' ? `${file} already exists; roster init does not overwrite files` : `cannot write ${file}: ${code ?? String(error)}`;
      throw new RosterError('request.invalid', message, { cause: error });
    }
  }
  return { files: files.map(([file]) => file) };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
