import { describe, expect, it } from 'vitest';
import { CreateVmRequestSchema } from '@virtweb/protocol';
import { summaryRows } from './summaryRows.ts';

describe('summaryRows', () => {
  it('says everything the request chooses', () => {
    const request = CreateVmRequestSchema.parse({
      name: 'web1',
      memoryMiB: 1024,
      vcpus: 2,
      topology: { sockets: 2, cores: 1, threads: 1 },
      cdrom: 'tiny.iso',
      boot: 'cdrom',
      disks: [{ image: 'web1.qcow2', bus: 'virtio', create: { format: 'qcow2', sizeBytes: '10G' } }],
      nics: [{ mode: 'user', model: 'e1000', portForwards: [{ hostPort: 2222, guestPort: 22 }] }],
      machine: 'pc',
      accel: 'kvm',
      noKernelIrqchip: true,
      clock: 'localtime',
    });
    const rows = Object.fromEntries(summaryRows(request).map((r) => [r.label, r.value]));
    expect(rows).toEqual({
      Name: 'web1',
      'Install media': 'ISO image tiny.iso (boots from the CD)',
      'Operating system': 'Linux',
      Memory: '1 GiB',
      vCPUs: '2 (2 sockets × 1 core × 1 thread)',
      'Memory balloon': 'no',
      Storage: 'new qcow2 disk web1.qcow2, 10 GiB, VirtIO',
      Network: 'user-mode NAT, e1000 NIC; tcp 127.0.0.1:2222 → guest 22',
      Firmware: 'BIOS (SeaBIOS)',
      'Machine type': 'pc',
      Accelerator: 'KVM',
      'No kernel irqchip': 'yes',
      TPM: 'none',
      'Guest clock': 'local time',
    });
  });

  it("says the Windows 11 preset's TPM 2.0 (the server gives the preset's devices)", () => {
    const request = CreateVmRequestSchema.parse({ name: 'w', os: 'windows11', memoryMiB: 4096, vcpus: 2 });
    const rows = Object.fromEntries(summaryRows(request).map((r) => [r.label, r.value]));
    expect(rows).toMatchObject({ 'Operating system': 'Windows 11', TPM: 'TPM 2.0 (swtpm)' });
  });
});
