import { MONITOR_MAX_LINE_BYTES } from '@virtweb/protocol';
import type { FilteredInput, InputFilter } from './unix-bridge.ts';

const CR = 0x0d;
const LF = 0x0a;

/** What the terminal shows when a line is refused. */
export const LINE_REFUSED_MESSAGE = `virtweb: line longer than ${MONITOR_MAX_LINE_BYTES} bytes refused (the rest up to Enter dropped)\r\n`;

/**
 * Empties qemu's readline buffer, whatever state it is in.
 * NOTE: qemu 7.2's HMP readline (util/readline.c) has no kill-line key (no Ctrl-U, no Ctrl-C). What it has:
 * a NUL ends a half-read escape sequence and is otherwise ignored; Up, then Down past the newest history
 * entry, leaves an empty line (64 Downs reach the end from anywhere: the history holds 64 entries), but only
 * when there is a history. Without one, End and 2048 Ctrl-W (delete the word before the cursor) empty even
 * 4095 characters of one-letter words; on an empty line they do nothing and print nothing. Every edit
 * redraws the whole line, so word by word costs output: up to about 11 MB, a third of what typing the line
 * made qemu echo already. The CR then submits the empty line: qemu answers with a line end and a fresh
 * prompt, and the refusal message goes in between.
 */
const CLEAR_READLINE = Buffer.from(
  '\x00' + '\x1b[A' + '\x1b[B'.repeat(64) + '\x05' + '\x17'.repeat(2048) + '\r',
  'latin1',
);

/**
 * The HMP monitor's input filter: counts the bytes typed since the last Enter (CR or LF) and refuses a line
 * that grows past MONITOR_MAX_LINE_BYTES: qemu's line is cleared, the terminal told, and what follows is
 * dropped up to the next Enter (which is dropped too: the cleared line was already submitted).
 * NOTE: 32 KiB typed without Enter was reported to crash qemu 7.2 (SIGSEGV). Its readline keeps 4095
 * characters and redraws the whole line for every key: typing 4 KiB already makes it echo 33 MB. Counting
 * bytes, not characters, also counts editing keys and escape sequences: a bound on what can reach one
 * line, not a model of qemu's buffer (history recall and Tab completion add to it).
 */
export function monitorLineLimit(maxLineBytes = MONITOR_MAX_LINE_BYTES): InputFilter {
  let lineBytes = 0;
  let refusing = false;
  return (message: Buffer): FilteredInput => {
    const pass: Buffer[] = [];
    let from = 0;
    let answer: Buffer | undefined;
    for (let i = 0; i < message.length; i++) {
      const byte = message[i];
      if (byte === CR || byte === LF) {
        lineBytes = 0;
        if (refusing) {
          refusing = false;
          from = i + 1;
        }
      } else if (!refusing && ++lineBytes > maxLineBytes) {
        refusing = true;
        pass.push(message.subarray(from, i), CLEAR_READLINE);
        answer = Buffer.from(LINE_REFUSED_MESSAGE, 'latin1');
      } else if (refusing) from = i + 1;
    }
    if (!refusing) pass.push(message.subarray(from));
    return { toGuest: Buffer.concat(pass), toBrowser: answer };
  };
}
