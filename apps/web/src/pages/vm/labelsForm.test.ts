import { describe, expect, it } from 'vitest';
import { checkLabels, parseTags } from './labelsForm.ts';

describe('the labels form', () => {
  it('splits tags on spaces and commas', () => {
    expect(parseTags(' web, lab-2  db,,')).toEqual(['web', 'lab-2', 'db']);
  });

  it('names the bad tag and refuses control characters in notes', () => {
    const bad = checkLabels('web w@b', '');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.tags).toMatch(/^"w@b": a tag is 1-32 letters/);
    expect(checkLabels('web WEB', '')).toMatchObject({ ok: false, errors: { tags: 'a tag is given twice' } });
    expect(checkLabels('', 'bell\u0007')).toMatchObject({
      ok: false,
      errors: { notes: /control characters/ },
    });
    expect(checkLabels('web', 'line 1\nline 2')).toEqual({
      ok: true,
      labels: { tags: ['web'], notes: 'line 1\nline 2' },
    });
  });
});
