import { describe, expect, it } from 'vitest';
import { buildArgv } from './argv.ts';
import { runtimePaths, type VmSpec } from './spec.ts';

const BASE: VmSpec = { name: 'mem', memoryMiB: 256, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };
const paths = runtimePaths('/run/virtweb/mem');
const after = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);

describe('guest memory backing', () => {
  it('is qemu default RAM unless huge pages or shared folders ask for a memfd', () => {
    const plain = buildArgv(BASE, paths);
    expect(after(plain, '-object').filter((o) => o.startsWith('memory-backend'))).toEqual([]);
    expect(after(plain, '-machine')[0]).not.toContain('memory-backend');

    const huge = buildArgv({ ...BASE, hugepages: true }, paths);
    expect(after(huge, '-object')).toContain(
      'memory-backend-memfd,id=mem0,size=256M,hugetlb=on,hugetlbsize=2M',
    );
    expect(after(huge, '-machine')[0]).toContain('memory-backend=mem0');

    const both = buildArgv(
      { ...BASE, hugepages: true, sharedFolders: [{ tag: 'share', socket: '/run/virtweb/mem/fs0.sock' }] },
      paths,
    );
    expect(after(both, '-object')).toContain(
      'memory-backend-memfd,id=mem0,size=256M,hugetlb=on,hugetlbsize=2M,share=on',
    );
  });

  it('refuses memory that is not a whole number of huge pages', () => {
    expect(() => buildArgv({ ...BASE, memoryMiB: 255, hugepages: true }, paths)).toThrow(
      /multiple of 2 MiB: 255/,
    );
    expect(() => buildArgv({ ...BASE, memoryMiB: 255 }, paths)).not.toThrow();
  });
});
