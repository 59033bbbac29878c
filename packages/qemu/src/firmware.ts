// UEFI firmware for guests: Debian's OVMF files (package `ovmf`) and each guest's own copy of the variables.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, copyFile, link, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ImageExistsError } from './qemu-img.ts';

/** Where Debian's `ovmf` package installs the firmware. */
export const OVMF_DIR = '/usr/share/OVMF';

/** A firmware build: read-only code and the pristine variable store a guest's vars file is copied from. */
export interface OvmfFiles {
  code: string;
  varsTemplate: string;
}

/** One OVMF flavour: found, or why not (in words for the host page and error messages). */
export type OvmfLookup = ({ found: true } & OvmfFiles) | { found: false; reason: string };

// NOTE: code and vars come in pairs of one flash size: 4M code with 4M vars (Debian 12's default), 2M code
// with 2M vars. A mismatched pair is accepted by qemu 7.2 but not by OVMF, so we only ever pick whole pairs.
// `.ms` vars have Microsoft's keys enrolled and Secure Boot on; the `.secboot` code needs SMM (q35).
const CANDIDATES = {
  uefi: [
    ['OVMF_CODE_4M.fd', 'OVMF_VARS_4M.fd'],
    ['OVMF_CODE.fd', 'OVMF_VARS.fd'],
  ],
  secure: [
    ['OVMF_CODE_4M.secboot.fd', 'OVMF_VARS_4M.ms.fd'],
    ['OVMF_CODE.secboot.fd', 'OVMF_VARS.ms.fd'],
  ],
} as const;

/**
 * Looks for OVMF in `dir`: plain UEFI and UEFI with Secure Boot (Microsoft keys), each the 4M build first,
 * the 2M build if the 4M one is not there. Never throws for missing or unreadable files: they are a reason.
 */
export async function findOvmf(dir: string = OVMF_DIR): Promise<{ uefi: OvmfLookup; secure: OvmfLookup }> {
  const [uefi, secure] = await Promise.all([lookup(dir, CANDIDATES.uefi), lookup(dir, CANDIDATES.secure)]);
  return { uefi, secure };
}

async function lookup(dir: string, pairs: readonly (readonly [string, string])[]): Promise<OvmfLookup> {
  for (const [code, vars] of pairs) {
    const files = { code: join(dir, code), varsTemplate: join(dir, vars) };
    if ((await readableFile(files.code)) && (await readableFile(files.varsTemplate)))
      return { found: true, ...files };
  }
  const tried = pairs.map(([code, vars]) => `${code} + ${vars}`).join(' or ');
  return {
    found: false,
    reason: `no readable ${tried} in ${dir} (install Debian's "ovmf" package)`,
  };
}

async function readableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Creates a guest's UEFI variable store at `dest` as a copy of `template` (an `OVMF_VARS*.fd`), writable by
 * its owner only. Never overwrites: the guest's boot entries (and Secure Boot keys) live in that file. The
 * copy appears at `dest` only when complete (hidden temp file, then link(2), which fails if `dest` exists).
 *
 * @throws ImageExistsError when `dest` exists; nothing is written.
 * @throws the fs error (ENOENT, EACCES...) when the template cannot be read or `dest` not written.
 */
export async function createVarsFile(template: string, dest: string): Promise<void> {
  const temp = join(dirname(dest), `.${basename(dest)}.${randomBytes(4).toString('hex')}.part`);
  try {
    await copyFile(template, temp, constants.COPYFILE_EXCL);
    // The template is root's and may be read-only; qemu opens pflash unit 1 read-write.
    await chmod(temp, 0o600);
    await link(temp, dest).catch((err: unknown) => {
      throw err instanceof Error && (err as NodeJS.ErrnoException).code === 'EEXIST'
        ? new ImageExistsError(dest)
        : err;
    });
  } finally {
    await rm(temp, { force: true });
  }
}
