import {
  DISK_BUS_LABELS,
  OS_PRESETS,
  PRESET_DEVICES,
  formatBytes,
  type CreateVmRequestSchema,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { memoryLabel } from '../../vmFormat.ts';
import type { StepId } from './steps.ts';

/** A create request after the schema: defaults filled in, sizes in bytes. */
export type CheckedRequest = z.output<typeof CreateVmRequestSchema>;

export interface SummaryRow {
  label: string;
  value: string;
  /** Where it is chosen. */
  step: StepId;
}

const FIRMWARE = { bios: 'BIOS (SeaBIOS)', uefi: 'UEFI (OVMF)', 'uefi-secure': 'UEFI with Secure Boot' };
const ACCEL = { auto: 'auto', kvm: 'KVM', tcg: 'TCG (software emulation)' };

function media(r: CheckedRequest): string {
  if (r.kernel) {
    const parts = [`kernel ${r.kernel.kernel}`];
    if (r.kernel.initrd) parts.push(`initrd ${r.kernel.initrd}`);
    if (r.kernel.cmdline) parts.push(`command line "${r.kernel.cmdline}"`);
    return `Direct kernel boot: ${parts.join(', ')}`;
  }
  if (r.boot === 'disk') return `Boots from the disk ${r.disks[0]?.image ?? ''}`;
  return r.cdrom ? `ISO image ${r.cdrom} (boots from the CD)` : 'no CD';
}

function storage(r: CheckedRequest): string {
  if (r.disks.length === 0) return 'no disk';
  return r.disks
    .map((d) => {
      const bus = d.bus ? DISK_BUS_LABELS[d.bus] : 'preset bus';
      return d.create
        ? `new ${d.create.format} disk ${d.image}, ${formatBytes(d.create.sizeBytes)}, ${bus}`
        : `${d.image}, ${bus}`;
    })
    .join('; ');
}

function network(r: CheckedRequest): string {
  if (!r.nics) return 'user-mode NAT';
  const n = r.nics[0];
  if (!n) return 'none';
  const nic = `${n.model ?? 'preset'} NIC`;
  if (n.mode === 'bridge') return `bridge ${n.bridge}, ${nic}`;
  if (n.mode === 'tap') return `tap ${n.tap}, ${nic}`;
  if (n.mode === 'network') return `network ${n.network}, ${nic}`;
  const forwards = n.portForwards.map(
    (f) => `${f.protocol} ${f.hostAddress}:${f.hostPort} → guest ${f.guestPort}`,
  );
  return [`user-mode NAT, ${nic}`, ...forwards].join('; ');
}

function cpus(r: CheckedRequest): string {
  const t = r.topology;
  if (!t) return String(r.vcpus);
  return `${r.vcpus} (${t.sockets} socket${t.sockets === 1 ? '' : 's'} × ${t.cores} core${t.cores === 1 ? '' : 's'} × ${t.threads} thread${t.threads === 1 ? '' : 's'})`;
}

/** Everything the request chooses, as label/value rows for the summary step. */
export function summaryRows(r: CheckedRequest): SummaryRow[] {
  const rows: SummaryRow[] = [
    { label: 'Name', value: r.name, step: 'media' },
    { label: 'Install media', value: media(r), step: 'media' },
    { label: 'Operating system', value: OS_PRESETS[r.os ?? 'linux'].label, step: 'os' },
    { label: 'Memory', value: memoryLabel(r.memoryMiB), step: 'cpu' },
    { label: 'vCPUs', value: cpus(r), step: 'cpu' },
    { label: 'Memory balloon', value: r.balloon ? 'yes' : 'no', step: 'cpu' },
    { label: 'Storage', value: storage(r), step: 'storage' },
    { label: 'Network', value: network(r), step: 'network' },
    { label: 'Firmware', value: FIRMWARE[r.firmware ?? 'bios'], step: 'machine' },
    { label: 'Machine type', value: r.machine ?? 'q35', step: 'machine' },
    { label: 'Accelerator', value: ACCEL[r.accel ?? 'auto'], step: 'machine' },
  ];
  if (r.noKernelIrqchip) rows.push({ label: 'No kernel irqchip', value: 'yes', step: 'machine' });
  // The OS preset's devices (the wizard sends none: the server gives the preset's).
  const tpm = (r.devices?.tpm ?? PRESET_DEVICES[r.os ?? 'linux'].tpm) === 'tpm2';
  rows.push({ label: 'TPM', value: tpm ? 'TPM 2.0 (swtpm)' : 'none', step: 'os' });
  rows.push({ label: 'Guest clock', value: r.clock === 'localtime' ? 'local time' : 'UTC', step: 'machine' });
  return rows;
}
