import { CreateVmRequestSchema, formatBytes, type HostInfo, type Image } from '@virtweb/protocol';
import { usesKvm } from './accelChoice.ts';
import { errorKeyOf } from './errorPaths.ts';
import type { CheckedRequest } from './summaryRows.ts';
import { duplicateForwardErrors, nicsCandidate, type PathErrors } from './networkDraft.ts';
import { diskNameOf, type WizardValues } from './wizardValues.ts';

/** What the client knows besides the form: the image store, the host's limits and devices, its guests. */
export interface WizardContext {
  images: readonly Image[];
  host: Pick<HostInfo, 'cpus' | 'memoryBytes' | 'accel' | 'firmware'>;
  /** Names of the guests on this host (a name is unique per host). */
  vmNames: readonly string[];
}

const MIB = 2 ** 20;
const NUMBER_KEYS = new Set(['memoryMiB', 'vcpus']);

/** Plain words for a number field left empty or not a number (zod's own says "expected number"). */
function typeMessage(key: string): string | undefined {
  if (NUMBER_KEYS.has(key) || key === 'topology') return 'enter a whole number';
  if (/\.(hostPort|guestPort)$/.test(key)) return 'enter a port number (1 to 65535)';
  return undefined;
}

function toNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function topologyOf(v: WizardValues): Record<string, unknown> {
  if (v.sockets.trim() === '' && v.cores.trim() === '' && v.threads.trim() === '') return {};
  const one = (t: string) => toNumber(t) ?? 1;
  return { topology: { sockets: one(v.sockets), cores: one(v.cores), threads: one(v.threads) } };
}

function disksOf(v: WizardValues): Record<string, unknown>[] {
  if (v.media === 'import') return [{ image: v.importDisk, bus: v.diskBus }];
  switch (v.storage) {
    case 'none':
      return [];
    case 'existing':
      return [{ image: v.existingDisk, bus: v.diskBus }];
    case 'new':
      return [
        {
          image: diskNameOf(v),
          bus: v.diskBus,
          create: { format: v.diskFormat, sizeBytes: v.diskSize.trim() },
        },
      ];
  }
}

function mediaOf(v: WizardValues): Record<string, unknown> {
  switch (v.media) {
    case 'iso':
      return { boot: 'cdrom', ...(v.iso ? { cdrom: v.iso } : {}) };
    case 'import':
      return { boot: 'disk' };
    case 'kernel': {
      if (!v.kernel) return { boot: 'kernel' };
      const cmdline = v.cmdline.trim();
      const kernel = {
        kernel: v.kernel,
        ...(v.initrd ? { initrd: v.initrd } : {}),
        ...(cmdline ? { cmdline } : {}),
      };
      return { boot: 'kernel', kernel };
    }
  }
}

/** The create request the form describes (not validated: numbers may be NaN or missing). */
export function candidateOf(v: WizardValues, host: WizardContext['host']): Record<string, unknown> {
  return {
    name: v.name.trim(),
    os: v.os,
    memoryMiB: toNumber(v.memoryMiB),
    vcpus: toNumber(v.vcpus),
    ...topologyOf(v),
    ...mediaOf(v),
    disks: disksOf(v),
    nics: nicsCandidate(v.network),
    balloon: v.balloon,
    clock: v.clock,
    firmware: v.firmware,
    machine: v.machine,
    accel: v.accel,
    // Only meaningful with KVM; the checkbox is disabled otherwise, and a stale tick is not sent.
    noKernelIrqchip: v.noKernelIrqchip && usesKvm(v.accel, host),
    ...(v.connection === '' ? {} : { connection: v.connection }),
  };
}

/** What the schema cannot know: the host's limits, the images that exist, choices left empty. */
export function contextErrors(v: WizardValues, ctx: WizardContext): PathErrors {
  const errors: PathErrors = duplicateForwardErrors(v.network);
  const name = v.name.trim();
  if (ctx.vmNames.includes(name)) errors.name = `a VM named ${name} already exists`;
  const memory = Number(v.memoryMiB);
  const hostMiB = Math.floor(ctx.host.memoryBytes / MIB);
  if (Number.isFinite(memory) && memory > hostMiB) {
    errors.memoryMiB = `at most ${hostMiB} MiB: that is all the memory this host has (${formatBytes(ctx.host.memoryBytes)})`;
  }
  const vcpus = Number(v.vcpus);
  if (Number.isFinite(vcpus) && vcpus > ctx.host.cpus) {
    errors.vcpus = `at most ${ctx.host.cpus}: the host has ${ctx.host.cpus} CPUs`;
  }
  if (v.media === 'iso' && !v.iso) errors.cdrom = 'choose an ISO image, or upload one below';
  if (v.media === 'import' && !v.importDisk) errors['disks.0.image'] = 'choose the disk to boot from';
  if (v.media !== 'import' && v.storage === 'existing' && !v.existingDisk) {
    errors['disks.0.image'] = 'choose a disk image';
  }
  if (v.media !== 'import' && v.storage === 'new') {
    const disk = diskNameOf(v);
    if (ctx.images.some((i) => i.name === disk)) {
      errors['disks.0.image'] =
        `an image named ${disk} already exists: choose another name, or use it as an existing disk`;
    }
  }
  if (v.firmware !== 'bios' && !ctx.host.firmware.uefi) {
    errors.firmware = 'UEFI needs OVMF, which is not installed on this host (Debian package ovmf)';
  }
  return errors;
}

export type WizardCheck =
  | { ok: true; request: CheckedRequest; errors?: undefined }
  | { ok: false; errors: PathErrors; request?: undefined };

/**
 * The whole form checked with the server's own schema (CreateVmRequestSchema) plus what only the client
 * knows, messages keyed by the field (see `errorKeyOf`). The first message per field wins.
 */
export function checkWizard(v: WizardValues, ctx: WizardContext): WizardCheck {
  const parsed = CreateVmRequestSchema.safeParse(candidateOf(v, ctx.host));
  const errors: PathErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = errorKeyOf(issue.path) ?? 'form';
      if (errors[key] !== undefined) continue;
      errors[key] = issue.code === 'invalid_type' ? (typeMessage(key) ?? issue.message) : issue.message;
    }
  }
  for (const [key, message] of Object.entries(contextErrors(v, ctx))) errors[key] ??= message;
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, request: parsed.data };
  return { ok: false, errors };
}
