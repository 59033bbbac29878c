// Typed map of the QMP commands virtweb uses; shapes follow qemu 7.2's qapi schema (query-qmp-schema).
// An entry without `args` takes no arguments; `return` is what qemu puts in the reply's `return` member.
// Replies are not validated at runtime: the map is a contract with qemu, not a parser.
import type { QmpBlockExportCommands } from './block-exports.ts';
import type { QmpBlockJobCommands } from './block-jobs.ts';
import type { QmpBlockCommands } from './block.ts';
import type { QmpMachineCommands } from './machine.ts';
import type { QmpMigrationCommands } from './migration.ts';
import type { QmpNetCommands } from './net.ts';

/** Every command virtweb uses, by concern. */
export interface QmpCommands
  extends
    QmpMachineCommands,
    QmpBlockCommands,
    QmpBlockJobCommands,
    QmpBlockExportCommands,
    QmpMigrationCommands,
    QmpNetCommands {}

export type QmpCommandName = keyof QmpCommands;

/** Per-call options accepted as the last argument of `execute`. */
export type QmpExecuteOptions = { timeoutMs?: number };

/** Arguments object of a command (`undefined` for commands that take none). */
export type QmpCommandArgs<C extends QmpCommandName> = QmpCommands[C] extends { args: infer A }
  ? A
  : undefined;

export type QmpCommandReturn<C extends QmpCommandName> = QmpCommands[C]['return'];

/**
 * The parameters after the command name: `[opts?]` without arguments, `[args?, opts?]` when every argument is
 * optional, `[args, opts?]` otherwise. Distributes over a union of command names.
 */
export type ArgsParam<C extends QmpCommandName> = C extends unknown
  ? QmpCommands[C] extends { args: infer A }
    ? Partial<A> extends A
      ? [args?: A, opts?: QmpExecuteOptions]
      : [args: A, opts?: QmpExecuteOptions]
    : [opts?: QmpExecuteOptions]
  : never;

type CommandWithoutArgs = {
  [C in QmpCommandName]: QmpCommands[C] extends { args: unknown } ? never : C;
}[QmpCommandName];

// At runtime `execute(cmd, x)` must know whether `x` is args or options; the compiler keeps this list complete.
const COMMANDS_WITHOUT_ARGS = {
  'query-status': true,
  'query-version': true,
  'query-kvm': true,
  'query-name': true,
  'query-cpus-fast': true,
  cont: true,
  stop: true,
  system_powerdown: true,
  system_reset: true,
  quit: true,
  'query-block': true,
  'query-jobs': true,
  'query-migrate': true,
  migrate_cancel: true,
  'query-commands': true,
  'query-balloon': true,
  'migrate-start-postcopy': true,
  'query-migrate-capabilities': true,
  'query-migrate-parameters': true,
  'nbd-server-stop': true,
  'query-block-exports': true,
  'query-block-jobs': true,
} as const satisfies Record<CommandWithoutArgs, true>;

export function takesNoArgs(command: string): boolean {
  return Object.hasOwn(COMMANDS_WITHOUT_ARGS, command);
}
