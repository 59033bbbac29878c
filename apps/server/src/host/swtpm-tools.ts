// Whether this host can give guests a TPM 2.0: Debian's swtpm (the emulator) and swtpm-tools (swtpm_setup).
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export const SWTPM = 'swtpm';
export const SWTPM_SETUP = 'swtpm_setup';
const MISSING_HINT =
  'a TPM 2.0 needs swtpm and swtpm_setup on the host (Debian: apt-get install swtpm swtpm-tools; scripts/setup installs them)';

/** The full path of `name` through the server's PATH, or undefined. */
export async function findOnPath(
  name: string,
  pathVar = process.env.PATH ?? '',
): Promise<string | undefined> {
  for (const dir of pathVar.split(':').filter((d) => d !== '')) {
    const full = path.join(dir, name);
    const ok = await fs.access(full, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return full;
  }
  return undefined;
}

/** Why this host cannot give a guest a TPM, or undefined when it can. */
export async function swtpmProblem(pathVar = process.env.PATH ?? ''): Promise<string | undefined> {
  const missing = [];
  for (const name of [SWTPM, SWTPM_SETUP]) {
    if ((await findOnPath(name, pathVar)) === undefined) missing.push(name);
  }
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not found: ${MISSING_HINT}`;
}
