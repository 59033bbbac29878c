import type { Vm } from '@virtweb/protocol';
import { stateWord } from '../../components/stateWords.ts';

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
  // The word people see ("stopped" for a never-started guest) and the API's state both match.
  const states = [vm.state, stateWord(vm.state)];
  return words.every((w) => {
    if (w.startsWith('tag:')) return tags.includes(w.slice(4));
    if (w.startsWith('state:')) return states.includes(w.slice(6));
    return (
      vm.name.toLowerCase().includes(w) ||
      states.includes(w) ||
      tags.some((t) => t.startsWith(w)) ||
      (vm.notes ?? '').toLowerCase().includes(w)
    );
  });
}
