import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MigrationOptionsFields } from './MigrationOptionsFields.tsx';
import {
  initialMigrate,
  MULTIFD_NEEDED_BY_COMPRESSION,
  POSTCOPY_REFUSED_UNDER_TCG,
  type MigrateValues,
} from './migrateValues.ts';

/** A checkbox as rendered on the server: its `<input>` tag and whether `reason` is shown. */
function checkbox(
  values: MigrateValues,
  label: string,
  reason: string,
): { tag: string; reasonShown: boolean } {
  const html = renderToStaticMarkup(
    createElement(MigrationOptionsFields, { values, errors: {}, onChange: () => undefined }),
  );
  const id = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(html)?.[1];
  const tag = id === undefined ? undefined : new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html)?.[0];
  if (tag === undefined) throw new Error(`no ${label} checkbox`);
  return { tag, reasonShown: html.includes(reason) };
}

const multifdInput = (values: MigrateValues) => checkbox(values, 'Multifd', MULTIFD_NEEDED_BY_COMPRESSION);

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

  it('renders Post-copy unticked and disabled, with the reason, for a TCG guest', () => {
    const tcg = checkbox(
      { ...initialMigrate('p'), tcgGuest: true, postcopy: true },
      'Post-copy',
      POSTCOPY_REFUSED_UNDER_TCG,
    );
    expect(tcg.tag).not.toMatch(/ checked=""/);
    expect(tcg.tag).toMatch(/ disabled=""/);
    expect(tcg.reasonShown).toBe(true);
    const kvm = checkbox({ ...initialMigrate('p'), postcopy: true }, 'Post-copy', POSTCOPY_REFUSED_UNDER_TCG);
    expect(kvm.tag).toMatch(/ checked=""/);
    expect(kvm.tag).not.toMatch(/ disabled=""/);
    expect(kvm.reasonShown).toBe(false);
  });
});
