import { z } from 'zod';

const F_KEYS = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12'] as const;

/** The key combinations a browser cannot send itself (the host OS or the browser would take them). */
export const KeyComboSchema = z.enum([
  'ctrl-alt-delete',
  'ctrl-alt-backspace',
  ...F_KEYS.map((f) => `ctrl-alt-${f}` as const),
]);
export type KeyCombo = z.infer<typeof KeyComboSchema>;

/** `POST /api/vms/:id/send-keys`: one combination, pressed together and released. */
export const SendKeysRequestSchema = z.strictObject({ keys: KeyComboSchema });
export type SendKeysRequest = z.infer<typeof SendKeysRequestSchema>;

/**
 * The largest websocket message the server takes from a browser, per socket: a bigger one closes that socket
 * with 1009, so the browser splits what it sends to fit. Consoles carry keystrokes and pastes, QMP one command
 * per message; noVNC sends at most 10 KiB per message, other RFB clients may send a whole clipboard at once.
 * Nothing large travels over a websocket (uploads are HTTP).
 */
export const WS_MAX_MESSAGE_BYTES = {
  events: 4 * 1024,
  serial: 64 * 1024,
  monitor: 16 * 1024,
  qmp: 64 * 1024,
  vnc: 256 * 1024,
} as const;

/** The longest line the monitor passes on to qemu; a longer one is refused (the rest up to Enter dropped). */
export const MONITOR_MAX_LINE_BYTES = 4096;

/** The longest text one `POST /api/vms/:id/type` may paste. */
export const TYPE_TEXT_MAX_CHARS = 4096;

/** True for the characters the guest keyboard can type: printable ASCII, newline and tab (US layout). */
export function isTypableChar(ch: string): boolean {
  return ch === '\n' || ch === '\t' || (ch.length === 1 && ch >= ' ' && ch <= '~');
}

/** Names a character for an error message: `"é" (U+00E9)`, or just the code point for control characters. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) ? hex : `"${ch}" (${hex})`;
}

/** `POST /api/vms/:id/type`: text typed into the guest as keystrokes, in order. */
export const TypeTextRequestSchema = z.strictObject({
  text: z
    .string()
    .min(1, 'text is empty')
    .max(TYPE_TEXT_MAX_CHARS, `at most ${TYPE_TEXT_MAX_CHARS} characters per paste`)
    .superRefine((text, ctx) => {
      // Code points, not UTF-16 units, so an emoji is named as one character.
      let index = 0;
      for (const ch of text) {
        if (!isTypableChar(ch)) {
          ctx.addIssue({
            code: 'custom',
            message: `character ${index + 1} is ${describeChar(ch)}: only printable ASCII, newline and tab can be typed`,
          });
          return;
        }
        index += 1;
      }
    }),
});
export type TypeTextRequest = z.infer<typeof TypeTextRequestSchema>;

/** The answer to a paste: it is queued (typing happens afterwards, in order). */
export const TypeTextResponseSchema = z.object({
  /** Characters of this paste. */
  chars: z.number().int(),
  /** Roughly when this paste will have been typed, counting the pastes queued before it. */
  etaMs: z.number().int(),
});
export type TypeTextResponse = z.infer<typeof TypeTextResponseSchema>;
