// A virtweb guest definition as libvirt domain XML: the wizard's request (and its presets) reaches libvirt as
// the same machine qemu-direct would start, with its consoles on unix sockets in the guest's run dir.
import { ErrorCode, type DiskBus, type Nic, type ResolvedAccel } from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';
import type { VmDefinition } from '../../vms/definition.ts';
import { diskAlias } from './snapshot-ops.ts';

/** The namespace of virtweb's mark in a domain's `<metadata>`: a domain carrying it is virtweb's own. */
export const VIRTWEB_XMLNS = 'https://virtweb.invalid/libvirt/guest/1';

/** The unix sockets qemu serves in the run dir (libvirt passes them to qemu as chardevs and `-vnc unix:`). */
export interface DomainSockets {
  screen: string;
  serial: string;
  /** ttyS1… as the definition asks (`devices.serialPorts` beyond the first). */
  serialPorts: readonly string[];
  agent: string;
}

/** A disk or medium as qemu opens it: the path checked at this start and its format. */
export interface DomainImage {
  path: string;
  format: string;
}

export interface DomainPlan {
  /** The libvirt name: `virtweb-<id>`, stable across renames (the guest's name is the domain's title). */
  domainName: string;
  id: string;
  def: VmDefinition;
  accel: ResolvedAccel;
  disks: (DomainImage & { index: number })[];
  cdrom: DomainImage | undefined;
  kernel: { kernel: string; initrd: string | undefined; cmdline: string | undefined } | undefined;
  sockets: DomainSockets;
  emulator: string;
  /** qemu runs as this uid:gid (libvirt's DAC label), the same unprivileged user as qemu-direct's; none: root. */
  runAs: { uid: number; gid: number } | undefined;
}

export const domainNameOf = (id: string): string => `virtweb-${id}`;

const esc = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

// NOTE: libvirt labels its own files of a domain (its master key, its state dir) for qemu's user, but never the
// files virtweb gave it (images, sockets in the run dir): those are granted by the server as for qemu-direct
// (ACLs), so libvirt must not chown them (and chown them back to root when the domain stops).
const KEEP_LABEL = '<seclabel model="dac" relabel="no"/>';

const refuse = (what: string): never => {
  throw new Conflict(ErrorCode.validation, `the libvirt engine does not run ${what} yet`);
};

/** Target names by bus: virtio disks are vda…, SCSI, SATA and USB disks share sda…, IDE disks hda…. */
const letter = (n: number): string => String.fromCharCode(97 + n);

/** The target name family of each of virtweb's disk buses in libvirt's terms (a new bus must be placed here). */
const FAMILY_OF: Record<DiskBus, 'vd' | 'sd' | 'hd'> = {
  virtio: 'vd',
  scsi: 'sd',
  sata: 'sd',
  usb: 'sd',
  ide: 'hd',
};

function diskXml(plan: DomainPlan): string[] {
  const q35 = plan.def.machine === 'q35';
  const out: string[] = [];
  const next = { vd: 0, sd: 0, hd: 0 };
  const targetOf = (bus: DiskBus): string => {
    const family = FAMILY_OF[bus];
    return `dev="${family}${letter(next[family]++)}" bus="${bus}"`;
  };
  const defined = new Map(plan.def.disks.map((d) => [d.index, d]));
  for (const d of plan.disks) {
    const def = defined.get(d.index);
    const bus = def?.bus ?? 'virtio';
    if (bus === 'ide' && q35) refuse('IDE disks on q35 (it has SATA)');
    const driver =
      `type="${esc(d.format)}"` +
      (def?.cache === undefined ? '' : ` cache="${def.cache}"`) +
      (def?.discard === undefined ? '' : ` discard="${def.discard}"`);
    out.push(
      `<disk type="file" device="disk"><driver name="qemu" ${driver}/>` +
        `<source file="${esc(d.path)}">${KEEP_LABEL}</source><target ${targetOf(bus)}/>` +
        `${def?.readOnly === true ? '<readonly/>' : ''}<alias name="${diskAlias(d.index)}"/></disk>`,
    );
  }
  if ([...defined.values()].some((d) => d.bus === 'scsi'))
    out.push('<controller type="scsi" model="virtio-scsi"/>');
  if (plan.cdrom) {
    out.push(
      `<disk type="file" device="cdrom"><driver name="qemu" type="raw"/>` +
        `<source file="${esc(plan.cdrom.path)}">${KEEP_LABEL}</source><target ${targetOf(q35 ? 'sata' : 'ide')}/>` +
        '<readonly/></disk>',
    );
  }
  return out;
}

function nicXml(nic: Nic): string {
  const common = `<mac address="${esc(nic.mac)}"/><model type="${esc(nic.model)}"/>${nic.linkUp ? '' : '<link state="down"/>'}`;
  switch (nic.mode) {
    case 'user':
      if (nic.portForwards.length > 0) refuse('port forwards of user-mode NICs');
      return `<interface type="user">${common}</interface>`;
    case 'bridge':
      return `<interface type="bridge"><source bridge="${esc(nic.bridge)}"/>${common}</interface>`;
    default:
      return refuse(`NICs in ${nic.mode} mode`);
  }
}

function osXml(plan: DomainPlan): string {
  const { def } = plan;
  const firmware = def.firmware === 'bios' ? '' : ' firmware="efi"';
  const secure =
    def.firmware === 'uefi-secure'
      ? '<firmware><feature enabled="yes" name="secure-boot"/><feature enabled="yes" name="enrolled-keys"/></firmware>'
      : '';
  const boot =
    def.boot === 'kernel' && plan.kernel
      ? `<kernel>${esc(plan.kernel.kernel)}</kernel>` +
        (plan.kernel.initrd === undefined ? '' : `<initrd>${esc(plan.kernel.initrd)}</initrd>`) +
        (plan.kernel.cmdline === undefined ? '' : `<cmdline>${esc(plan.kernel.cmdline)}</cmdline>`)
      : `<boot dev="${def.boot === 'cdrom' ? 'cdrom' : 'hd'}"/>`;
  return `<os${firmware}><type arch="x86_64" machine="${def.machine}">hvm</type>${secure}${boot}</os>`;
}

function cpuXml(plan: DomainPlan): string {
  const { sockets, cores, threads } = plan.def.topology;
  const topology = `<topology sockets="${sockets}" dies="1" cores="${cores}" threads="${threads}"/>`;
  const model = plan.def.devices.cpuModel;
  if (model === 'auto') return `<cpu>${topology}</cpu>`;
  if (model === 'host') return `<cpu mode="host-passthrough">${topology}</cpu>`;
  if (model === 'max') return `<cpu mode="maximum">${topology}</cpu>`;
  return `<cpu mode="custom" match="exact"><model fallback="forbid">${esc(model)}</model>${topology}</cpu>`;
}

function deviceXml(plan: DomainPlan): string[] {
  const { def, sockets } = plan;
  const dev = def.devices;
  const out = [`<emulator>${esc(plan.emulator)}</emulator>`, ...diskXml(plan), ...def.nics.map(nicXml)];
  out.push(
    `<serial type="unix"><source mode="bind" path="${esc(sockets.serial)}">${KEEP_LABEL}</source><target port="0"/></serial>`,
    ...sockets.serialPorts.map(
      (p, i) =>
        `<serial type="unix"><source mode="bind" path="${esc(p)}">${KEEP_LABEL}</source><target port="${i + 1}"/></serial>`,
    ),
    `<graphics type="vnc" socket="${esc(sockets.screen)}"/>`,
    `<video><model type="${dev.video.model}" vram="${dev.video.vramMiB * 1024}"/></video>`,
    `<memballoon model="${def.balloon ? 'virtio' : 'none'}"/>`,
  );
  if (dev.sound === 'hda') out.push(`<sound model="${def.machine === 'q35' ? 'ich9' : 'ich6'}"/>`);
  if (dev.rng) out.push('<rng model="virtio"><backend model="random">/dev/urandom</backend></rng>');
  if (dev.watchdog.model === 'i6300esb') {
    const action = dev.watchdog.action === 'none' ? 'none' : dev.watchdog.action;
    out.push(`<watchdog model="i6300esb" action="${action}"/>`);
  }
  if (def.guestAgent) {
    out.push(
      `<channel type="unix"><source mode="bind" path="${esc(sockets.agent)}">${KEEP_LABEL}</source>` +
        '<target type="virtio" name="org.qemu.guest_agent.0"/></channel>',
    );
  }
  return out;
}

/**
 * The domain XML of a start. Domain type `qemu` under TCG, `kvm` with KVM.
 * @throws Conflict for what this engine does not translate yet (tap and managed-network NICs, port forwards)
 */
export function domainXml(plan: DomainPlan): string {
  const { def } = plan;
  if (def.devices.cpuPinning.some((cpus) => cpus.length > 0)) refuse('pinned vCPUs');
  if (def.usb.length > 0) refuse('host USB devices');
  if (def.devices.tpm !== 'none') refuse('a TPM');
  if (def.devices.hugepages) refuse('huge pages');
  if (def.devices.serialPorts > 1) refuse('serial ports besides ttyS0');
  const seclabel =
    plan.runAs === undefined
      ? '<seclabel type="none" model="dac"/>'
      : `<seclabel type="static" model="dac" relabel="yes"><label>+${plan.runAs.uid}:+${plan.runAs.gid}</label></seclabel>`;
  return [
    `<domain type="${plan.accel === 'kvm' ? 'kvm' : 'qemu'}">`,
    `<name>${esc(plan.domainName)}</name>`,
    `<title>${esc(def.name)}</title>`,
    `<metadata><virtweb:guest xmlns:virtweb="${VIRTWEB_XMLNS}" id="${esc(plan.id)}"/></metadata>`,
    `<memory unit="MiB">${def.memoryMiB}</memory>`,
    `<vcpu>${def.vcpus}</vcpu>`,
    osXml(plan),
    '<features><acpi/><apic/></features>',
    cpuXml(plan),
    `<clock offset="${def.clock}"/>`,
    '<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>',
    `<devices>${deviceXml(plan).join('')}</devices>`,
    seclabel,
    '</domain>',
  ].join('\n');
}

/** The virtweb guest id a domain's XML carries in its metadata, if virtweb defined it. */
export function virtwebIdOf(xml: string): string | undefined {
  const mark = new RegExp(
    `<virtweb:guest[^>]*xmlns:virtweb="${VIRTWEB_XMLNS.replace(/[.]/g, '\\.')}"[^>]*id="([0-9a-f]{12})"`,
  );
  return mark.exec(xml)?.[1];
}
