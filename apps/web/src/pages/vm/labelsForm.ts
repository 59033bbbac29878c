import { VmLabelsSchema, type VmLabels } from '@virtweb/protocol';

/** Tags as typed: words separated by spaces or commas. */
export const parseTags = (text: string): string[] => text.split(/[\s,]+/).filter((t) => t !== '');

export type LabelsCheck =
  { ok: true; labels: VmLabels } | { ok: false; errors: { tags?: string; notes?: string } };

/** The labels form's values checked with the server's own rules (the same messages). */
export function checkLabels(tagsText: string, notes: string): LabelsCheck {
  const tags = parseTags(tagsText);
  const parsed = VmLabelsSchema.safeParse({ tags, notes });
  if (parsed.success) return { ok: true, labels: parsed.data };
  const errors: { tags?: string; notes?: string } = {};
  for (const issue of parsed.error.issues) {
    const [field, index] = issue.path;
    if (field === 'tags') {
      const tag = typeof index === 'number' ? tags[index] : undefined;
      errors.tags ??= tag === undefined ? issue.message : `"${tag}": ${issue.message}`;
    } else if (field === 'notes') errors.notes ??= issue.message;
  }
  return { ok: false, errors };
}
