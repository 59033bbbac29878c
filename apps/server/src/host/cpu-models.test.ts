import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostCpu, parseCpuHelp, qemuCpuModels } from './cpu-models.ts';

describe('CPU models', () => {
  it("lists qemu's x86 models from `-cpu help`, without the flags list after them", () => {
    const text = [
      'Available CPUs:',
      'x86 486                   (alias configured by machine type)',
      'x86 Skylake-Client-v4     Intel Core Processor (Skylake, IBRS, no TSX)',
      'x86 host                  KVM processor with all supported host features',
      'x86 max                   Enables all features supported by the accelerator in the current host',
      '',
      'Recognized CPUID flags:',
      '  3dnow 3dnowext abm',
    ].join('\n');
    expect(parseCpuHelp(text)).toEqual(['486', 'host', 'max', 'Skylake-Client-v4']);
  });

  it("asks this host's qemu: it knows qemu64, max and Skylake-Client", async () => {
    const models = await qemuCpuModels('qemu-system-x86_64');
    expect(models).toEqual(expect.arrayContaining(['qemu64', 'max', 'host', 'Skylake-Client']));
  });

  it('reads the model name and sorted flags of the first CPU', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-cpuinfo-'));
    const file = path.join(dir, 'cpuinfo');
    fs.writeFileSync(
      file,
      'processor\t: 0\nmodel name\t: Test CPU @ 2GHz\nflags\t\t: sse2 fpu vmx\n\nprocessor\t: 1\n',
    );
    expect(await hostCpu(file)).toEqual({ model: 'Test CPU @ 2GHz', flags: ['fpu', 'sse2', 'vmx'] });
    expect(await hostCpu(path.join(dir, 'missing'))).toEqual({ model: 'unknown', flags: [] });
    fs.rmSync(dir, { recursive: true });
  });
});
