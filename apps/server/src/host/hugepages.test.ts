import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hugePages, hugePagesProblem } from './hugepages.ts';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('huge pages', () => {
  it('reads the 2 MiB pool and says how many more a guest needs', async () => {
    root = mkdtempSync(join(tmpdir(), 'virtweb-hugepages-'));
    mkdirSync(join(root, 'hugepages-2048kB'));
    writeFileSync(join(root, 'hugepages-2048kB', 'nr_hugepages'), '100\n');
    writeFileSync(join(root, 'hugepages-2048kB', 'free_hugepages'), '60\n');
    const pages = await hugePages(root);
    expect(pages).toEqual({ pageKiB: 2048, total: 100, free: 60 });
    expect(hugePagesProblem(120, pages)).toBeUndefined();
    expect(hugePagesProblem(256, pages)).toBe(
      'the guest needs 128 free 2 MiB huge pages and the host has 60 free (of 100 reserved): reserve more ' +
        '(sysctl vm.nr_hugepages=168) or turn huge pages off',
    );
    expect(await hugePages(join(root, 'none'))).toBeUndefined();
    expect(hugePagesProblem(64, undefined)).toMatch(/no 2 MiB huge pages/);
  });
});
