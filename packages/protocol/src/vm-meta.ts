import { z } from 'zod';

/** Control characters other than tab and newlines: notes are plain text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A guest's tag: a word for filtering the guests list ("web", "win11", "lab-2"). */
export const VmTagSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
    'a tag is 1-32 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  );

export const MAX_TAGS = 16;
export const MAX_NOTES_CHARS = 4000;

/** `PUT /api/vms/:id/labels`: tags and free-text notes; they change nothing in the guest. */
export const VmLabelsSchema = z.strictObject({
  tags: z
    .array(VmTagSchema)
    .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
    .refine((tags) => new Set(tags.map((t) => t.toLowerCase())).size === tags.length, 'a tag is given twice')
    .default([]),
  notes: z
    .string()
    .max(MAX_NOTES_CHARS, `notes are at most ${MAX_NOTES_CHARS} characters`)
    .refine((s) => !CONTROL.test(s), 'notes are plain text: no control characters')
    .default(''),
});
export type VmLabels = z.output<typeof VmLabelsSchema>;
export type VmLabelsInput = z.input<typeof VmLabelsSchema>;

/**
 * `PUT /api/vms/:id/autostart`: start the guest when the host starts (the server's first start after a host
 * boot). Lower `order` starts first; `delaySec` is the wait after this guest's start before the next one.
 */
export const AutostartSchema = z.strictObject({
  enabled: z.boolean(),
  order: z.number().int().min(0).max(999).default(0),
  delaySec: z.number().int().min(0).max(600).default(0),
});
export type Autostart = z.output<typeof AutostartSchema>;
export type AutostartInput = z.input<typeof AutostartSchema>;
