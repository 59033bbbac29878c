// Where a shared folder (virtiofs) may point: a directory inside the root the admin allows
// (VIRTWEB_SHARED_ROOT), resolved at the moment it is used, so that a symlink swapped in later cannot lead
// virtiofsd outside the root.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Invalid } from '../domain/errors.ts';

/**
 * The absolute real path of `requested` (a path relative to `root`, e.g. `projects/site`) when it is a
 * directory inside `root` after every symlink is followed.
 * NOTE: no commas: virtiofsd takes the directory as `-o source=<path>`, a comma-separated option list.
 * @throws Invalid (field `field`) for an absolute path, `..`, a comma or control character, a path that does
 *   not exist, is not a directory, or resolves outside the root
 */
export async function resolveSharedFolder(root: string, requested: string, field = 'path'): Promise<string> {
  const refuse = (why: string): never => {
    throw new Invalid(`${field}: ${why}`, [{ path: field, message: why }]);
  };
  if (requested === '' || path.isAbsolute(requested))
    refuse('give a path inside the shared folders root, relative to it');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[,\u0000-\u001f\u007f]/.test(requested)) refuse('no commas or control characters');
  if (requested.split('/').includes('..')) refuse('no .. in the path');
  const realRoot = await fs.realpath(root);
  let real: string;
  try {
    real = await fs.realpath(path.join(realRoot, requested));
  } catch {
    return refuse(`${requested} does not exist in the shared folders root`);
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep))
    refuse(`${requested} leads outside the shared folders root`);
  if (!(await fs.stat(real)).isDirectory()) refuse(`${requested} is not a directory`);
  return real;
}
