import { escapeOptValue } from '@virtweb/qemu';

// Characters a POSIX shell takes literally in an unquoted word.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument quoted for a POSIX shell: as is when plain, else in single quotes (`'` written `'\''`). */
export function shellQuote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** An argv as one line for a POSIX shell (for reading and copying; the server itself never runs a shell). */
export function shellText(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * Replaces real paths with placeholders in every argument: `from` as written, and as qemu option values
 * write it (commas doubled), so a preview can show `<run>/<new-vm-id>/qmp.sock` for a VM that has no id yet.
 */
export function withPlaceholders(argv: readonly string[], swaps: readonly [string, string][]): string[] {
  return argv.map((arg) =>
    swaps.reduce((a, [from, to]) => a.replaceAll(escapeOptValue(from), to).replaceAll(from, to), arg),
  );
}
