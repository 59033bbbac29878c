import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { CommandLineSchema, CreateTokenRequestSchema } from '@virtweb/protocol';
import type { RawResponse } from './raw-http.ts';

/** The file the `$(touch …)` and backtick values would create if any text reached a shell unquoted. */
export const CANARY = '/tmp/vw-hostile-canary';

/**
 * For free text the server accepts into a qemu command line: it stays one argv element right after `flag`,
 * and the preview's shell text, run through a POSIX shell, gives back exactly the argv (nothing expands).
 */
export function safeArgvProblem(res: RawResponse, flag: string, value: string): string | undefined {
  const parsed = CommandLineSchema.safeParse(res.json);
  if (!parsed.success) return 'the answer is not a command line';
  const { argv, text } = parsed.data;
  const at = argv.indexOf(flag);
  if (value !== '' && argv[at + 1] !== value) {
    return `${flag} is not followed by the value as one element: ${JSON.stringify(argv.slice(at, at + 3))}`;
  }
  fs.rmSync(CANARY, { force: true });
  // The text is shown for copying into a shell: printf it there and it must give back argv, element by element.
  const echoed = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${text}`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);
  if (fs.existsSync(CANARY)) return 'the shell text ran a command';
  // What a process receives: a lone surrogate cannot be encoded and arrives as U+FFFD.
  const received = argv.map((a) => Buffer.from(a, 'utf8').toString('utf8'));
  if (JSON.stringify(echoed) !== JSON.stringify(received))
    return 'the shell text does not give back the argv';
  return undefined;
}

/** An accepted token name is stored as the schema reads it (trimmed), nothing else. */
export function tokenNameProblem(res: RawResponse, value: string): string | undefined {
  const expected = CreateTokenRequestSchema.shape.name.parse(value);
  const got = (res.json as { name?: unknown } | undefined)?.name;
  return got === expected
    ? undefined
    : `token stored as ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`;
}

/** An accepted labels request stored exactly what was sent (`field` of the answer's VM). */
export function labelsProblem(
  res: RawResponse,
  field: 'tags' | 'notes',
  expected: unknown,
): string | undefined {
  const vm = res.json as { tags?: unknown; notes?: unknown } | undefined;
  const got = field === 'tags' ? (vm?.tags ?? []) : (vm?.notes ?? '');
  return JSON.stringify(got) === JSON.stringify(expected)
    ? undefined
    : `${field} stored as ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`;
}
