// The host's 2 MiB huge pages (vm.nr_hugepages), which a guest's RAM may be backed by.
import fs from 'node:fs/promises';
import path from 'node:path';

export const HUGEPAGES_SYSFS = '/sys/kernel/mm/hugepages';
const PAGE_KIB = 2048;

export interface HugePages {
  pageKiB: number;
  /** Reserved (vm.nr_hugepages). */
  total: number;
  /** Reserved and not in use. */
  free: number;
}

/** The 2 MiB huge pages of the host, or undefined when its kernel has none. */
export async function hugePages(root = HUGEPAGES_SYSFS): Promise<HugePages | undefined> {
  const dir = path.join(root, `hugepages-${PAGE_KIB}kB`);
  const read = (name: string) =>
    fs.readFile(path.join(dir, name), 'utf8').then(
      (s) => Number(s.trim()),
      () => NaN,
    );
  const [total, free] = await Promise.all([read('nr_hugepages'), read('free_hugepages')]);
  if (!Number.isInteger(total) || !Number.isInteger(free)) return undefined;
  return { pageKiB: PAGE_KIB, total, free };
}

/** Why a guest of `memoryMiB` cannot start on huge pages now, or undefined when enough are free. */
export function hugePagesProblem(memoryMiB: number, pages: HugePages | undefined): string | undefined {
  if (pages === undefined) return "this host's kernel has no 2 MiB huge pages";
  const need = Math.ceil((memoryMiB * 1024) / pages.pageKiB);
  if (pages.free >= need) return undefined;
  return (
    `the guest needs ${need} free 2 MiB huge pages and the host has ${pages.free} free (of ${pages.total} ` +
    `reserved): reserve more (sysctl vm.nr_hugepages=${pages.total + need - pages.free}) or turn huge pages off`
  );
}
