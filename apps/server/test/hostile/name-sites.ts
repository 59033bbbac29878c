import {
  CpuModelSchema,
  ImageNameSchema,
  InterfaceNameSchema,
  KernelBootSchema,
  VmNameSchema,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { encodeSegment } from './check.ts';
import type { Fixture, Targets } from './fixture.ts';
import { HOSTILE_NAMES, HOSTILE_NAMES_SHORT, HOSTILE_TEXT } from './names.ts';
import type { RawResponse } from './raw-http.ts';
import type { Expect } from './routes.ts';
import { safeArgvProblem } from './verify-accepted.ts';

export interface SiteRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Upload bytes (application/octet-stream) instead of JSON. */
  raw?: string;
}

/** A value the field's schema accepts: what must happen then. */
export interface WhenAccepted {
  expect: Expect;
  verify?: (res: RawResponse, value: string, fx: Fixture) => string | undefined | Promise<string | undefined>;
  cleanup?: (res: RawResponse, fx: Fixture) => Promise<void>;
  unchanged?: boolean;
}

/** One field (in a path, a query or a body) that hostile values are put in. */
export interface NameSite {
  label: string;
  values: string[];
  /** The field's rule: values it refuses must be refused by the server. Without one, every value is refused. */
  schema?: z.ZodType;
  /** Values the schema accepts: 'skip' where they would really make something. */
  accepted?: 'skip' | WhenAccepted;
  /** The server refuses these although the schema takes them (e.g. `.part` names are reserved). */
  serverRefuses?: (v: string) => boolean;
  /** Default 400|404. */
  refused?: Expect;
  request: (t: Targets, v: string) => SiteRequest;
}

export const seg = encodeSegment;
/** A request of a site: JSON `body`, or upload bytes `raw`. */
export const call = (method: string, path: string, body?: unknown, raw?: string): SiteRequest => ({
  method,
  path,
  ...(body === undefined ? {} : { body }),
  ...(raw === undefined ? {} : { raw }),
});
const VM = { memoryMiB: 256, vcpus: 1, nics: [] };
const STOPPED_CONFIG = {
  name: 'stopped',
  ...VM,
  cdrom: 'tinylinux.iso',
  boot: 'cdrom',
  disks: [{ image: 'disk.qcow2' }],
};
const partName = (v: string) => v.endsWith('.part');
const names = HOSTILE_NAMES;
/** Fields checked by the same rule as a field that gets every name: one of each kind of trick is enough. */
const short = HOSTILE_NAMES_SHORT;
/** An empty segment names the collection itself (`GET /api/images/` lists them): not a hostile name there. */
export const nonEmpty = (xs: string[]) => xs.filter((x) => x !== '');
export const anything: WhenAccepted = { expect: [400, 404, 409] };

/** Image names (new files, references, path parameters) and the images and names of VM definitions. */
export const IMAGE_SITES: NameSite[] = [
  // Image names: new files, references, path parameters.
  {
    label: 'POST /api/images {name}',
    values: names,
    schema: ImageNameSchema,
    accepted: 'skip',
    serverRefuses: partName,
    request: (_t, v) => call('POST', '/api/images', { name: v, format: 'raw', size: '1M' }),
  },
  {
    label: 'POST /api/images {backingImage}',
    values: short,
    request: (_t, v) =>
      call('POST', '/api/images', { name: 'zz-overlay.qcow2', format: 'qcow2', backingImage: v }),
  },
  {
    label: 'POST /api/images/:name/convert {target}',
    values: names,
    schema: ImageNameSchema,
    accepted: 'skip',
    serverRefuses: partName,
    request: (t, v) => call('POST', `/api/images/${t.disk}/convert`, { target: v, format: 'raw' }),
  },
  {
    label: 'GET /api/images/:name',
    values: nonEmpty(names),
    request: (_t, v) => call('GET', `/api/images/${seg(v)}`),
  },
  {
    label: 'DELETE /api/images/:name',
    values: names,
    request: (_t, v) => call('DELETE', `/api/images/${seg(v)}`),
  },
  {
    label: 'POST /api/images/:name/resize',
    values: short,
    request: (_t, v) => call('POST', `/api/images/${seg(v)}/resize`, { size: '64M' }),
  },
  {
    label: 'POST /api/images/:name/convert (source)',
    values: short,
    request: (_t, v) =>
      call('POST', `/api/images/${seg(v)}/convert`, { target: 'zz-stolen.raw', format: 'raw' }),
  },
  {
    label: 'PUT /api/images/:name/upload',
    values: names,
    schema: ImageNameSchema,
    accepted: 'skip',
    serverRefuses: partName,
    request: (_t, v) => call('PUT', `/api/images/${seg(v)}/upload`, undefined, 'x'.repeat(512)),
  },

  // VM definitions: the name, and every image a VM refers to.
  {
    label: 'POST /api/vms {name}',
    values: names,
    schema: VmNameSchema,
    accepted: 'skip',
    request: (_t, v) => call('POST', '/api/vms', { name: v, ...VM }),
  },
  {
    label: 'POST /api/vms {disks[0].image}',
    values: names,
    request: (_t, v) => call('POST', '/api/vms', { name: 'zz-n', ...VM, disks: [{ image: v }] }),
  },
  {
    label: 'POST /api/vms {disks[0].image, create}',
    values: names,
    schema: ImageNameSchema,
    accepted: 'skip',
    serverRefuses: partName,
    request: (_t, v) =>
      call('POST', '/api/vms', {
        name: 'zz-n',
        ...VM,
        disks: [{ image: v, create: { format: 'qcow2', sizeBytes: '1M' } }],
      }),
  },
  {
    label: 'POST /api/vms {cdrom}',
    values: names,
    request: (_t, v) => call('POST', '/api/vms', { name: 'zz-n', ...VM, cdrom: v }),
  },
  {
    label: 'POST /api/vms {kernel.kernel}',
    values: names,
    request: (_t, v) =>
      call('POST', '/api/vms', { name: 'zz-n', ...VM, boot: 'kernel', kernel: { kernel: v } }),
  },
  {
    label: 'POST /api/vms {kernel.initrd}',
    values: short,
    request: (t, v) =>
      call('POST', '/api/vms', {
        name: 'zz-n',
        ...VM,
        boot: 'kernel',
        kernel: { kernel: t.kernel, initrd: v },
      }),
  },
  {
    label: 'POST /api/vms/preview {name}',
    values: short,
    schema: VmNameSchema,
    accepted: 'skip',
    request: (_t, v) => call('POST', '/api/vms/preview', { name: v, ...VM }),
  },
  {
    label: 'POST /api/vms/preview {cdrom}',
    values: short,
    request: (_t, v) => call('POST', '/api/vms/preview', { name: 'zz-n', ...VM, cdrom: v }),
  },
  {
    label: 'POST /api/vms/preview {disks[0].image}',
    values: short,
    request: (_t, v) => call('POST', '/api/vms/preview', { name: 'zz-n', ...VM, disks: [{ image: v }] }),
  },
  {
    label: 'POST /api/vms/preview {nics[0].bridge}',
    values: names,
    schema: InterfaceNameSchema,
    accepted: 'skip',
    request: (_t, v) =>
      call('POST', '/api/vms/preview', { name: 'zz-n', ...VM, nics: [{ mode: 'bridge', bridge: v }] }),
  },
  {
    label: 'POST /api/vms/preview {nics[0].tap}',
    values: short,
    schema: InterfaceNameSchema,
    accepted: 'skip',
    request: (_t, v) =>
      call('POST', '/api/vms/preview', { name: 'zz-n', ...VM, nics: [{ mode: 'tap', tap: v }] }),
  },
  {
    // A name the schema takes is still refused unless this host's qemu has that model.
    label: 'POST /api/vms/preview {devices.cpuModel}',
    values: names,
    schema: CpuModelSchema,
    serverRefuses: () => true,
    request: (_t, v) => call('POST', '/api/vms/preview', { name: 'zz-n', ...VM, devices: { cpuModel: v } }),
  },
  {
    label: 'POST /api/vms/preview {kernel.cmdline}',
    values: HOSTILE_TEXT,
    schema: KernelBootSchema.shape.cmdline,
    accepted: { expect: [200], verify: (res, v) => safeArgvProblem(res, '-append', v) },
    request: (t, v) =>
      call('POST', '/api/vms/preview', {
        name: 'zz-n',
        ...VM,
        boot: 'kernel',
        kernel: { kernel: t.kernel, cmdline: v },
      }),
  },
  {
    label: 'PUT /api/vms/:id {name}',
    values: names,
    schema: VmNameSchema,
    accepted: 'skip',
    request: (t, v) => call('PUT', `/api/vms/${t.stoppedId}`, { ...STOPPED_CONFIG, name: v }),
  },
  {
    label: 'PUT /api/vms/:id {cdrom}',
    values: short,
    request: (t, v) => call('PUT', `/api/vms/${t.stoppedId}`, { ...STOPPED_CONFIG, cdrom: v }),
  },
  {
    label: 'POST /api/vms/:id/clone {name}',
    values: names,
    schema: VmNameSchema,
    accepted: 'skip',
    request: (t, v) =>
      call('POST', `/api/vms/${t.stoppedId}/clone`, {
        name: v,
        disks: [{ image: t.disk, mode: 'overlay', target: 'zz-clone.qcow2' }],
      }),
  },
  {
    label: 'POST /api/vms/:id/clone {disks[0].target}',
    values: names,
    schema: ImageNameSchema,
    accepted: 'skip',
    serverRefuses: partName,
    request: (t, v) =>
      call('POST', `/api/vms/${t.stoppedId}/clone`, {
        name: 'zz-clone',
        disks: [{ image: t.disk, mode: 'copy', target: v }],
      }),
  },
  {
    label: 'POST /api/vms/:id/clone {disks[0].image}',
    values: short,
    request: (t, v) =>
      call('POST', `/api/vms/${t.stoppedId}/clone`, {
        name: 'zz-clone',
        disks: [{ image: v, mode: 'overlay', target: 'zz-clone.qcow2' }],
      }),
  },
  {
    label: 'DELETE /api/vms/:id {deleteImages[0]}',
    values: short,
    refused: [400, 404, 409],
    request: (t, v) => call('DELETE', `/api/vms/${t.runningId}`, { deleteImages: [v] }),
  },
];
