const SAFE = /^[\w@%+=:,./-]+$/;

/** One argument as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The whole command on one line, ready to paste into a shell. */
export const shellJoin = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

/** For reading: one option with its values per line, joined with ` \` continuations (still pasteable). */
export function shellLines(argv: readonly string[]): string {
  const lines: string[][] = [];
  for (const arg of argv) {
    const last = lines.at(-1);
    if (!last || arg.startsWith('-') || last.length > 1) lines.push([arg]);
    else last.push(arg);
  }
  return lines.map((words, i) => (i === 0 ? '' : '  ') + words.map(shellQuote).join(' ')).join(' \\\n');
}
