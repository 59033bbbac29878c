import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MigrationOptionsFields } from './MigrationOptionsFields.tsx';
import { initialMigrate, MULTIFD_NEEDED_BY_COMPRESSION, type MigrateValues } from './migrateForm.ts';

/** The Multifd checkbox as rendered on the server: its `<input>` tag and whether the reason is shown. */
function multifdInput(values: MigrateValues): { tag: string; reasonShown: boolean } {
  const html = renderToStaticMarkup(
    createElement(MigrationOptionsFields, { values, errors: {}, onChange: () => undefined }),
  );
  const id = /<label for="([^"]+)">Multifd<\/label>/.exec(html)?.[1];
  const tag = id === undefined ? undefined : new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html)?.[0];
  if (tag === undefined) throw new Error('no Multifd checkbox');
  return { tag, reasonShown: html.includes(MULTIFD_NEEDED_BY_COMPRESSION) };
}

describe('migration options', () => {
  it('renders Multifd ticked and disabled, with the reason, while compression is on', () => {
    const box = multifdInput({ ...initialMigrate('p'), compressZstd: true });
    expect(box.tag).toMatch(/ checked=""/);
    expect(box.tag).toMatch(/ disabled=""/);
    expect(box.reasonShown).toBe(true);
  });

  it('renders the user’s own choice, enabled, without compression', () => {
    const off = multifdInput(initialMigrate('p'));
    expect(off.tag).not.toMatch(/ checked=""/);
    expect(off.tag).not.toMatch(/ disabled=""/);
    expect(off.reasonShown).toBe(false);
    expect(multifdInput({ ...initialMigrate('p'), multifd: true }).tag).toMatch(/ checked=""/);
  });
});
