// The guest RAM's backing: qemu's default (private anonymous memory), or a memfd when another process must
// reach it (virtiofsd) or when it comes from the host's 2 MiB huge pages.
import type { Fail } from './argv-opts.ts';
import type { VmSpec } from './spec.ts';

/** qemu's id of the guest RAM's memory backend when it has one. */
export const MEMORY_BACKEND_ID = 'mem0';
/** The huge page size guests are given (x86's 2 MiB pages; 1 GiB pages are a boot-time reservation). */
export const HUGE_PAGE_MIB = 2;

/** Whether the guest RAM is a memory backend object (then the machine's `memory-backend` names it). */
export function hasMemoryBackend(spec: VmSpec): boolean {
  return spec.hugepages === true || (spec.sharedFolders ?? []).length > 0;
}

/**
 * `-object memory-backend-memfd,...` for the guest RAM, or nothing.
 * NOTE: a vhost-user device's backend (virtiofsd, another process) reads and writes the guest's buffers in
 * the guest's RAM itself, so that RAM must be a mapping it can share: qemu's default RAM is private anonymous
 * memory, which no other process can map. memfd + share=on gives a file descriptor qemu passes over the
 * socket; the machine's memory-backend property makes it the guest's main RAM (what `-numa node,memdev=`
 * does too, but without giving the guest a NUMA node). Checked with qemu 7.2 + Debian's virtiofsd, qemu as
 * the unprivileged user under its seccomp sandbox: the test guest mounts the tag, reads and writes.
 * NOTE: hugetlb=on takes the memfd from the host's reserved huge pages (vm.nr_hugepages): no hugetlbfs mount
 * and no privilege needed; qemu fails at start ("cannot allocate memory") when too few are free, which the
 * server checks before. The size must be a whole number of pages.
 */
export function memoryBackendArgs(spec: VmSpec): string[] {
  if (!hasMemoryBackend(spec)) return [];
  const opts = [`memory-backend-memfd,id=${MEMORY_BACKEND_ID},size=${spec.memoryMiB}M`];
  if (spec.hugepages === true) opts.push('hugetlb=on', `hugetlbsize=${HUGE_PAGE_MIB}M`);
  if ((spec.sharedFolders ?? []).length > 0) opts.push('share=on');
  return ['-object', opts.join(',')];
}

export function validateMemoryBacking(spec: VmSpec, fail: Fail): void {
  if (spec.hugepages === true && spec.memoryMiB % HUGE_PAGE_MIB !== 0)
    fail(`memory on huge pages must be a multiple of ${HUGE_PAGE_MIB} MiB: ${spec.memoryMiB}`);
}
