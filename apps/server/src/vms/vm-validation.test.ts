// A definition's issues as one domain error: a request's are Invalid (any field that cannot work) or a
// Conflict (only clashes); at a start, the stored definition's are a Conflict "cannot start: ..." either way.
import { DEFAULT_DEVICES } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import type { ImageService } from '../images/image-service.ts';
import type { VmDefinition } from './definition.ts';
import { assertValid, type ValidationHost } from './vm-validation.ts';

/** A guest without disks, CD or kernel: the checks then never ask the image store. */
const def: VmDefinition = {
  name: 'a',
  os: 'linux',
  memoryMiB: 256,
  vcpus: 1,
  topology: { sockets: 1, cores: 1, threads: 1 },
  disks: [],
  boot: 'cdrom',
  accel: 'auto',
  nics: [],
  machine: 'q35',
  firmware: 'bios',
  noKernelIrqchip: false,
  balloon: true,
  clock: 'utc',
  devices: DEFAULT_DEVICES,
  guestAgent: false,
  usb: [],
};

/** A host of 2 CPUs where VM `other` is named `taken`. */
const host: ValidationHost = {
  images: {} as unknown as ImageService,
  limits: { cpus: 2, memoryBytes: 2 ** 32 },
  network: () => Promise.reject(new Error('not asked')),
  nicProblem: () => Promise.resolve(undefined),
  firmware: () => Promise.reject(new Error('not asked')),
  cpuModels: () => Promise.resolve(['max', 'qemu64', 'Skylake-Client']),
  vmNamed: (name) => (name === 'taken' ? 'other' : undefined),
  vmName: (id) => id,
  vmsWithDisk: () => [],
  vmWithMac: (mac, exceptId) => (mac === '52:54:00:00:00:99' && exceptId !== 'other' ? 'other' : undefined),
};

const tooManyCpus = { path: 'vcpus', message: 'at most 2: the host has 2 CPUs' };
const nameTaken = { path: 'name', message: 'a VM named taken already exists' };

describe('assertValid', () => {
  it('refuses a request with a field that cannot work as Invalid, listing every issue', async () => {
    await expect(assertValid(host, { ...def, name: 'taken', vcpus: 4 })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'validation_failed',
      message: `vcpus: ${tooManyCpus.message}; name: ${nameTaken.message}`,
      details: [tooManyCpus, nameTaken],
    });
  });

  it("refuses a request that only clashes as a Conflict with the clash's code", async () => {
    await expect(assertValid(host, { ...def, name: 'taken' })).rejects.toMatchObject({
      kind: 'conflict',
      code: 'already_exists',
      message: `name: ${nameTaken.message}`,
      details: [nameTaken],
    });
  });

  it('refuses a start of a stored definition the host no longer fits as a Conflict, with the same code', async () => {
    const starting = { vmId: 'self', attaching: new Set<number>(), starting: true };
    await expect(assertValid(host, { ...def, vcpus: 4 }, starting)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'validation_failed',
      message: `cannot start: vcpus: ${tooManyCpus.message}`,
      details: [tooManyCpus],
    });
    await expect(assertValid(host, { ...def, name: 'taken' }, starting)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'already_exists',
      message: `cannot start: name: ${nameTaken.message}`,
    });
  });

  it('passes a definition that fits', async () => {
    await expect(assertValid(host, def)).resolves.toBeUndefined();
  });

  it("refuses a CPU model this host's qemu lacks, and host passthrough on a guest set to TCG", async () => {
    const withCpu = (cpuModel: string, accel: VmDefinition['accel'] = 'auto') => ({
      ...def,
      accel,
      devices: { ...DEFAULT_DEVICES, cpuModel },
    });
    await expect(assertValid(host, withCpu('Skylake-Client'))).resolves.toBeUndefined();
    await expect(assertValid(host, withCpu('host', 'kvm'))).resolves.toBeUndefined();
    await expect(assertValid(host, withCpu('Pentium9000'))).rejects.toMatchObject({
      details: [
        {
          path: 'devices.cpuModel',
          message: 'qemu here has no CPU model Pentium9000 (qemu-system-x86_64 -cpu help)',
        },
      ],
    });
    await expect(assertValid(host, withCpu('host', 'tcg'))).rejects.toMatchObject({
      details: [
        { path: 'devices.cpuModel', message: 'host (passthrough) needs KVM; this guest is set to TCG' },
      ],
    });
  });
});
