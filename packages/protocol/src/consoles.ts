import { z } from 'zod';

/** Held with the key of a combination (`super` is the Windows key, `altgr` the right Alt). */
export const KEY_MODIFIERS = ['ctrl', 'alt', 'shift', 'super', 'altgr'] as const;
export type KeyModifier = (typeof KEY_MODIFIERS)[number];

const F_KEYS = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12'] as const;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');

/** The keys a combination may end with (qemu's QKeyCode names, `print` is PrintScreen). */
export const COMBO_KEYS: readonly string[] = [
  'delete',
  'backspace',
  'esc',
  'tab',
  'ret',
  'spc',
  'print',
  'sysrq',
  'pause',
  'menu',
  'insert',
  'home',
  'end',
  'pgup',
  'pgdn',
  'up',
  'down',
  'left',
  'right',
  ...F_KEYS,
  ...LETTERS,
  ...DIGITS,
];

const COMBO_KEY_SET = new Set(COMBO_KEYS);
const MODIFIER_SET = new Set<string>(KEY_MODIFIERS);

/**
 * A combination split into its parts, or null: modifiers (each at most once), then one key, joined by '-';
 * or a modifier alone as the key.
 */
export function parseKeyCombo(combo: string): { modifiers: KeyModifier[]; key: string } | null {
  const parts = combo.split('-');
  const key = parts.pop();
  if (key === undefined) return null;
  if (!COMBO_KEY_SET.has(key) && !(parts.length === 0 && MODIFIER_SET.has(key))) return null;
  if (new Set(parts).size !== parts.length || !parts.every((m) => MODIFIER_SET.has(m))) return null;
  return { modifiers: parts as KeyModifier[], key };
}

/**
 * A key combination the browser cannot send itself (the host OS or the browser would take it), pressed
 * together and released: `ctrl-alt-delete`, `ctrl-alt-f2`, `esc`, `super`, `print`, `alt-f4`. A modifier
 * alone is a key too (`super` opens the Windows start menu).
 */
export const KeyComboSchema = z
  .string()
  .max(64)
  .refine(
    (combo) => parseKeyCombo(combo) !== null,
    'not a key combination: modifiers (ctrl, alt, shift, super, altgr) and one key joined by "-", e.g. ctrl-alt-delete, esc, super, alt-f4',
  );
export type KeyCombo = z.infer<typeof KeyComboSchema>;

/** `POST /api/vms/:id/send-keys`: one combination, pressed together and released. */
export const SendKeysRequestSchema = z.strictObject({ keys: KeyComboSchema });
export type SendKeysRequest = z.infer<typeof SendKeysRequestSchema>;

/** The keyboard layouts a paste can be typed with: the one the guest's OS is set to. */
export const KeyboardLayoutSchema = z.enum(['us', 'uk', 'de', 'fr']);
export type KeyboardLayout = z.infer<typeof KeyboardLayoutSchema>;

/** What people call each layout. */
export const KEYBOARD_LAYOUT_LABELS: Record<KeyboardLayout, string> = {
  us: 'English (US)',
  uk: 'English (UK)',
  de: 'German',
  fr: 'French (AZERTY)',
};

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

/** True for the characters the US layout types: printable ASCII, newline and tab. */
export function isTypableChar(ch: string): boolean {
  return ch === '\n' || ch === '\t' || (ch.length === 1 && ch >= ' ' && ch <= '~');
}

/** True for what any layout might type: not a control character (newline and tab are keys too). */
export function isPrintableChar(ch: string): boolean {
  return ch === '\n' || ch === '\t' || !/^[\p{Cc}\p{Cs}]$/u.test(ch);
}

/** Names a character for an error message: `"é" (U+00E9)`, or just the code point for control characters. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) ? hex : `"${ch}" (${hex})`;
}

/**
 * `POST /api/vms/:id/type`: text typed into the guest as keystrokes, in order, with the keys of `layout`
 * (default `us`: printable ASCII). Whether another layout has a key for each character the server checks.
 */
export const TypeTextRequestSchema = z.strictObject({
  text: z
    .string()
    .min(1, 'text is empty')
    .max(TYPE_TEXT_MAX_CHARS, `at most ${TYPE_TEXT_MAX_CHARS} characters per paste`)
    .superRefine((text, ctx) => {
      // Code points, not UTF-16 units, so an emoji is named as one character.
      let index = 0;
      for (const ch of text) {
        if (!isPrintableChar(ch)) {
          ctx.addIssue({
            code: 'custom',
            message: `character ${index + 1} is ${describeChar(ch)}: control characters cannot be typed (newline and tab can)`,
          });
          return;
        }
        index += 1;
      }
    }),
  layout: KeyboardLayoutSchema.optional(),
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
