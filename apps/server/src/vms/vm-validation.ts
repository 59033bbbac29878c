import {
  DISK_BUS_LABELS,
  ErrorCode,
  diskBusProblem,
  diskOptionsProblem,
  formatBytes,
} from '@virtweb/protocol';
import { diskBusCapacity } from '@virtweb/qemu';
import { Conflict, Invalid, type FieldIssue } from '../domain/errors.ts';
import type { InspectedImage } from '../images/image-inspect.ts';
import type { ImageService } from '../images/image-service.ts';
import { qemuImgReason } from '../images/qemu-img-errors.ts';
import type { VmDefinition } from './definition.ts';
import { checkNics } from './nic-validation.ts';
import type { Issue, ValidationHost, ValidationScope } from './validation-host.ts';

export type { Issue, ValidationHost, ValidationScope } from './validation-host.ts';

const issue = (path: string, message: string): Issue => ({
  path,
  message,
  kind: 'invalid',
  code: ErrorCode.validation,
});
const clash = (path: string, message: string, code: string = ErrorCode.inUse): Issue => ({
  path,
  message,
  kind: 'clash',
  code,
});

/**
 * Every server-side check of a definition (the request schema has done the shape and the cross-field rules):
 * host limits, images, IDE room, firmware, host interfaces, port forwards, boot device, name.
 * @throws Invalid `validation_failed` (or Conflict when every problem is a clash) listing each issue by path;
 *   at a start (`scope.starting`), Conflict "cannot start: ..." with the code the request's answer would have.
 */
export async function assertValid(
  host: ValidationHost,
  def: VmDefinition,
  scope: ValidationScope = {},
): Promise<void> {
  const issues = await findIssues(host, def, scope);
  if (issues.length === 0) return;
  if (scope.starting !== true) throw issuesError(issues);
  // A stored definition that no longer fits the host (an image deleted, a bridge gone, OVMF removed) is
  // not a bad request: the guest clashes with how the host is now.
  const { code, summary, details } = summarize(issues);
  throw new Conflict(code, `cannot start: ${summary}`, details);
}

/** One error for several issues: Invalid when any is invalid, else a Conflict with the first clash's code. */
export function issuesError(issues: Issue[]): Invalid | Conflict {
  const { invalid, code, summary, details } = summarize(issues);
  return invalid ? new Invalid(summary, details) : new Conflict(code, summary, details);
}

/** The issues in one line, each by path, and the code of the lot: `validation_failed` unless all clash. */
function summarize(issues: Issue[]): {
  invalid: boolean;
  code: string;
  summary: string;
  details: FieldIssue[];
} {
  const first = issues.find((i) => i.kind === 'clash');
  const invalid = issues.some((i) => i.kind === 'invalid') || !first;
  return {
    invalid,
    code: invalid ? ErrorCode.validation : first.code,
    summary: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    details: issues.map(({ path, message }) => ({ path, message })),
  };
}

export async function findIssues(
  host: ValidationHost,
  def: VmDefinition,
  scope: ValidationScope,
): Promise<Issue[]> {
  const issues: Issue[] = [];
  checkLimits(host, def, issues);
  const owner = host.vmNamed(def.name);
  if (owner !== undefined && owner !== scope.vmId) {
    issues.push(clash('name', `a VM named ${def.name} already exists`, ErrorCode.exists));
  }
  await checkDisks(host, def, scope, issues);
  await checkCdrom(host, def, scope, issues);
  await checkKernel(host, def, issues);
  await checkFirmware(host, def, issues);
  await checkNics(host, def, scope, issues);
  await checkCpuModel(host, def, issues);
  checkPinning(host, def, issues);
  checkBoot(def, scope, issues);
  return issues;
}

/** A named CPU model must be one this host's qemu has; `host` needs KVM (a guest pinned to TCG cannot). */
async function checkCpuModel(host: ValidationHost, def: VmDefinition, issues: Issue[]): Promise<void> {
  const model = def.devices.cpuModel;
  if (model === 'auto' || model === 'max') return;
  if (model === 'host') {
    if (def.accel === 'tcg')
      issues.push(issue('devices.cpuModel', 'host (passthrough) needs KVM; this guest is set to TCG'));
    return;
  }
  const known = await host.cpuModels().catch(() => undefined);
  if (known !== undefined && !known.includes(model)) {
    issues.push(
      issue('devices.cpuModel', `qemu here has no CPU model ${model} (qemu-system-x86_64 -cpu help)`),
    );
  }
}

/** Pinned vCPUs must exist, and so must the host CPUs they are pinned to. */
function checkPinning(host: ValidationHost, def: VmDefinition, issues: Issue[]): void {
  const pinning = def.devices.cpuPinning;
  if (pinning.length > def.vcpus) {
    issues.push(issue('devices.cpuPinning', `pins ${pinning.length} vCPUs, but the guest has ${def.vcpus}`));
  }
  const last = host.limits.cpus - 1;
  pinning.forEach((cpus, vcpu) => {
    const missing = cpus.filter((c) => c > last);
    if (missing.length > 0) {
      issues.push(
        issue(
          `devices.cpuPinning.${vcpu}`,
          `host CPU ${missing.join(', ')} does not exist: this host has CPUs 0-${last}`,
        ),
      );
    }
  });
}

function checkLimits(host: ValidationHost, def: VmDefinition, issues: Issue[]): void {
  const hostMiB = Math.floor(host.limits.memoryBytes / 2 ** 20);
  if (def.memoryMiB > hostMiB) {
    issues.push(issue('memoryMiB', `at most ${hostMiB} MiB: that is all the memory this host has`));
  }
  if (def.vcpus > host.limits.cpus) {
    issues.push(issue('vcpus', `at most ${host.limits.cpus}: the host has ${host.limits.cpus} CPUs`));
  }
}

async function checkDisks(
  host: ValidationHost,
  def: VmDefinition,
  scope: ValidationScope,
  issues: Issue[],
): Promise<void> {
  const { images } = host;
  const seen = new Set<string>();
  let dependents: Map<string, string[]> | undefined;
  const dependentsOf = async (image: string): Promise<string[]> => {
    dependents ??= await allDependents(images);
    return dependents.get(image) ?? [];
  };
  for (const [i, d] of def.disks.entries()) {
    const at = `disks.${i}.image`;
    if (seen.has(d.image) || d.image === def.cdrom) {
      issues.push(issue(at, `${d.image} is listed twice`));
      continue;
    }
    seen.add(d.image);
    const creating = scope.creating?.get(d.index);
    if (creating) {
      if (await images.exists(d.image)) {
        issues.push(clash(at, `an image named ${d.image} already exists`, ErrorCode.exists));
      }
      if (creating.sizeBytes > images.limits.maxImageBytes) {
        const max = formatBytes(images.limits.maxImageBytes);
        issues.push(issue(`disks.${i}.create.sizeBytes`, `at most ${max} on this server`));
      }
      continue;
    }
    // NOTE: a disk with a recorded format is read with it, whatever its content says now (a guest may have
    // written a qcow2 header into its raw disk, which must stay raw); its chain is still checked.
    const read = await readImage(images, d.image, d.format);
    if ('problem' in read) {
      issues.push(issue(at, read.problem));
      continue;
    }
    const attaching = scope.attaching === undefined || scope.attaching.has(d.index);
    if (attaching) {
      const others = images.users(d.image).filter((u) => u !== scope.vmId);
      if (others.length > 0) {
        issues.push(clash(at, `${d.image} is used by VM ${others.map((u) => host.vmName(u)).join(', ')}`));
      }
    }
    if (attaching || scope.starting === true) {
      const deps = await dependentsOf(d.image);
      if (deps.length > 0) {
        issues.push(
          clash(at, `${d.image} is the backing file of ${deps.join(', ')}: writing to it would corrupt them`),
        );
      }
    }
  }
  checkDiskBuses(def, issues);
}

/** Each disk's bus on this machine with room left on it, and its options on that bus. */
function checkDiskBuses(def: VmDefinition, issues: Issue[]): void {
  def.disks.forEach((d, i) => {
    const busProblem = diskBusProblem(d.bus, def.machine);
    if (busProblem !== undefined) return void issues.push(issue(`disks.${i}.bus`, busProblem));
    const option = diskOptionsProblem(d.bus, d);
    if (option !== undefined) issues.push(issue(`disks.${i}.${option.field}`, option.message));
    const capacity = diskBusCapacity(def.machine, d.bus);
    const nth = def.disks.slice(0, i + 1).filter((x) => x.bus === d.bus).length;
    if (nth > capacity) {
      const label = DISK_BUS_LABELS[d.bus];
      const where = d.bus === 'sata' || d.bus === 'ide' ? ' besides the CD' : '';
      const hint = d.bus === 'ide' ? ' (or SATA, or virtio)' : ' (use virtio)';
      issues.push(
        issue(`disks.${i}.bus`, `the ${def.machine} machine has ${capacity} ${label} ports${where}${hint}`),
      );
    }
  });
}

async function checkCdrom(
  host: ValidationHost,
  def: VmDefinition,
  scope: ValidationScope,
  issues: Issue[],
): Promise<void> {
  if (def.cdrom === undefined) return;
  const read = await readImage(host.images, def.cdrom);
  if ('problem' in read) return void issues.push(issue('cdrom', read.problem));
  if (read.image.qemuFormat !== 'raw') {
    issues.push(issue('cdrom', `${def.cdrom} is a ${read.image.qemuFormat} image, not a CD image (ISO)`));
  }
  // A CD is read-only and may be shared, but not with a VM that writes to the image as a disk.
  const cd = def.cdrom;
  const asDisk = host.vmsWithDisk(cd).filter((id) => id !== scope.vmId);
  if (asDisk.length > 0) {
    issues.push(clash('cdrom', `${cd} is a disk of VM ${asDisk.map((id) => host.vmName(id)).join(', ')}`));
  }
}

async function checkKernel(host: ValidationHost, def: VmDefinition, issues: Issue[]): Promise<void> {
  if (def.boot === 'kernel' && def.kernel === undefined) {
    issues.push(issue('kernel', 'direct kernel boot needs a kernel image'));
  }
  if (def.kernel === undefined) return;
  const { kernel, initrd } = def.kernel;
  const kernelRead = await readImage(host.images, kernel);
  if ('problem' in kernelRead) issues.push(issue('kernel.kernel', kernelRead.problem));
  else if (kernelRead.image.format !== 'kernel') {
    issues.push(issue('kernel.kernel', `${kernel} is not a Linux kernel (no bzImage header)`));
  }
  if (initrd === undefined) return;
  const initrdRead = await readImage(host.images, initrd);
  if ('problem' in initrdRead) return void issues.push(issue('kernel.initrd', initrdRead.problem));
  const format = initrdRead.image.format;
  // An initramfs compressed with xz, lz4 or bzip2 has no magic the store knows: any plain file may be one.
  if (format !== 'initrd' && format !== 'raw') {
    issues.push(issue('kernel.initrd', `${initrd} is a ${format} file, not an initramfs`));
  }
}

async function checkFirmware(host: ValidationHost, def: VmDefinition, issues: Issue[]): Promise<void> {
  if (def.firmware === 'bios') return;
  const fw = await host.firmware();
  if (!fw.uefi) {
    issues.push(issue('firmware', "UEFI needs OVMF, which is not installed: install Debian's ovmf package"));
  } else if (def.firmware === 'uefi-secure' && !fw.secureBoot) {
    issues.push(issue('firmware', "this OVMF has no Secure Boot build: install Debian's ovmf package"));
  }
  if (def.firmware === 'uefi-secure' && def.machine === 'pc') {
    issues.push(issue('firmware', 'Secure Boot firmware needs the q35 machine (SMM)'));
  }
}

function checkBoot(def: VmDefinition, scope: ValidationScope, issues: Issue[]): void {
  if (def.boot === 'disk' && def.disks.length === 0) {
    issues.push(issue('boot', 'cannot boot from disk without a disk: add one or boot from the CD'));
  }
  // Only a new VM is refused: ejecting the install CD afterwards is the normal way to boot the installed disk
  // (the empty drive keeps its place in the boot order and the firmware moves on to the disk).
  if (scope.fromRequest === true && def.boot === 'cdrom' && def.cdrom === undefined && def.disks.length > 0) {
    issues.push(issue('boot', 'cannot boot from the CD without a CD image: pick one or boot from disk'));
  }
}

/**
 * The image as inspected, or why it cannot be used (missing, unreadable, reads files outside the store); read
 * as `format` when the server recorded one.
 */
async function readImage(
  images: ImageService,
  name: string,
  format?: string,
): Promise<{ problem: string } | { image: InspectedImage }> {
  if (!(await images.exists(name))) return { problem: 'no such image' };
  try {
    // Inspected once here: each inspection is a qemu-img run (~6 ms), and a start checks every image.
    const image = await images.inspect(name, format === undefined ? {} : { format });
    return image.problem === undefined ? { image } : { problem: `${name} cannot be used: ${image.problem}` };
  } catch (err) {
    const as = format === undefined ? '' : ` as ${format}`;
    return { problem: `qemu-img cannot read ${name}${as}: ${qemuImgReason(err)}` };
  }
}

/** Every image in the store that backs others, with those others (one pass over the store). */
async function allDependents(images: ImageService): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const image of await images.list()) {
    for (const b of image.backingChain) {
      if (!b.inStore) continue;
      out.set(b.name, [...(out.get(b.name) ?? []), image.name]);
    }
  }
  return out;
}
