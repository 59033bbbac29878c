import type { Vm } from '@virtweb/protocol';

/**
 * Whether a guest matches the filter: every word of it (case-insensitive) is part of its name, its state or
 * its notes, or the start of one of its tags; `tag:x` matches tags only, `state:x` the state only.
 */
export function matchesFilter(vm: Vm, filter: string): boolean {
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const tags = (vm.tags ?? []).map((t) => t.toLowerCase());
  return words.every((w) => {
    if (w.startsWith('tag:')) return tags.includes(w.slice(4));
    if (w.startsWith('state:')) return vm.state === w.slice(6);
    return (
      vm.name.toLowerCase().includes(w) ||
      vm.state === w ||
      tags.some((t) => t.startsWith(w)) ||
      (vm.notes ?? '').toLowerCase().includes(w)
    );
  });
}
