import { describe, expect, it } from 'vitest';
import { VmDefinitionSchema, type VmDefinition } from '../../vms/definition.ts';
import { domainXml, virtwebIdOf, type DomainPlan } from './domain-xml.ts';

// The stored form with every default filled in (q35, BIOS, default devices), as the store reads it.
const def: VmDefinition = VmDefinitionSchema.parse({
  name: 'a <b> & "c"',
  memoryMiB: 256,
  vcpus: 2,
  topology: { sockets: 1, cores: 2, threads: 1 },
  disks: [{ image: 'd.qcow2', format: 'qcow2' }],
  cdrom: 't.iso',
  boot: 'cdrom',
  accel: 'auto',
  nics: [],
  guestAgent: true,
});

const plan = (over: Partial<DomainPlan> = {}): DomainPlan => ({
  domainName: 'virtweb-0123456789ab',
  id: '0123456789ab',
  def,
  accel: 'tcg',
  disks: [{ index: 0, path: '/data/images/d.qcow2', format: 'qcow2' }],
  cdrom: { path: '/data/images/t.iso', format: 'raw' },
  kernel: undefined,
  sockets: {
    screen: '/run/x/vnc.sock',
    serial: '/run/x/serial.sock',
    serialPorts: ['/run/x/serial1.sock'],
    agent: '/run/x/agent.sock',
  },
  emulator: '/usr/bin/qemu-system-x86_64',
  runAs: { uid: 999, gid: 64055 },
  ...over,
});

describe('domain XML of a definition', () => {
  it('is a qemu (TCG) domain with the escaped title, virtweb mark, consoles on the run dir sockets', () => {
    const xml = domainXml(plan());
    expect(xml).toMatch(/^<domain type="qemu">/);
    expect(xml).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>');
    expect(virtwebIdOf(xml)).toBe('0123456789ab');
    expect(xml).toContain('<target dev="vda" bus="virtio"/><alias name="ua-disk0"/>');
    expect(xml).toContain('<target dev="sda" bus="sata"/><readonly/>');
    expect(xml).toContain('<graphics type="vnc" socket="/run/x/vnc.sock"/>');
    expect(xml).toContain('path="/run/x/serial.sock"');
    expect(xml).toMatch(/path="\/run\/x\/serial1.sock">.*<target port="1"\/>/);
    expect(xml).toContain('name="org.qemu.guest_agent.0"');
    expect(xml).toContain('<label>+999:+64055</label>');
    expect(domainXml(plan({ accel: 'kvm' }))).toMatch(/^<domain type="kvm">/);
  });

  it("places each bus's disks (names shared by SCSI, SATA and USB), with cache, discard and read-only", () => {
    const disks = [
      { image: 'a.qcow2', index: 0, format: 'qcow2', bus: 'scsi', cache: 'none', discard: 'unmap' },
      { image: 'b.qcow2', index: 1, format: 'qcow2', bus: 'usb', readOnly: true },
    ] as const;
    const xml = domainXml(
      plan({
        def: { ...def, disks: [...disks] },
        disks: disks.map((d) => ({ index: d.index, path: `/i/${d.image}`, format: 'qcow2' })),
      }),
    );
    expect(xml).toContain('<driver name="qemu" type="qcow2" cache="none" discard="unmap"/>');
    expect(xml).toContain('<target dev="sda" bus="scsi"/><alias name="ua-disk0"/>');
    expect(xml).toContain('<target dev="sdb" bus="usb"/><readonly/><alias name="ua-disk1"/>');
    expect(xml).toContain('<controller type="scsi" model="virtio-scsi"/>');
    expect(xml).toContain('<target dev="sdc" bus="sata"/><readonly/></disk>');
  });

  it('refuses in plain words what it does not translate yet', () => {
    const tap = {
      ...def,
      nics: [{ slot: 0, mac: '52:54:00:00:00:01', model: 'virtio', linkUp: true, mode: 'tap', tap: 'tap0' }],
    };
    expect(() => domainXml(plan({ def: tap as VmDefinition }))).toThrow(/does not run NICs in tap mode yet/);
    const huge = { ...def, devices: { ...def.devices, hugepages: true } };
    expect(() => domainXml(plan({ def: huge }))).toThrow(/huge pages/);
    const ports = { ...def, devices: { ...def.devices, serialPorts: 2 } };
    expect(() => domainXml(plan({ def: ports }))).toThrow(/serial ports besides ttyS0/);
  });

  it('knows a domain defined by others by the missing mark', () => {
    expect(virtwebIdOf('<domain><name>x</name></domain>')).toBeUndefined();
  });
});
