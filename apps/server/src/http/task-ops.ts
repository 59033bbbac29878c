import { VmActionSchema } from '@virtweb/protocol';

/**
 * The task log's name of each state-changing route (`METHOD /api/pattern` as in route-scopes.ts); `null`:
 * a POST that changes nothing (a preview, a check), not recorded. A route missing here is recorded under
 * its own pattern.
 */
export const TASK_OPS: Readonly<Record<string, string | null>> = {
  'POST /api/vms': 'vm.create',
  'POST /api/vms/preview': null,
  'PUT /api/vms/:id': 'vm.update',
  'DELETE /api/vms/:id': 'vm.delete',
  'POST /api/vms/:id/clone': 'vm.clone',
  'POST /api/vms/:id/balloon': 'vm.balloon',
  'PUT /api/vms/:id/labels': 'vm.labels',
  'PUT /api/vms/:id/autostart': 'vm.autostart',
  ...Object.fromEntries(VmActionSchema.options.map((a) => [`POST /api/vms/:id/${a}`, `vm.${a}`])),
  'POST /api/vms/:id/:action': 'vm.unknown-action',
  'POST /api/vms/:id/send-keys': 'vm.send-keys',
  'POST /api/vms/:id/type': 'vm.type',
  'POST /api/vms/:id/signal': 'vm.signal',
  'POST /api/images': 'image.create',
  'DELETE /api/images/:name': 'image.delete',
  'POST /api/images/:name/resize': 'image.resize',
  'POST /api/images/:name/convert': 'image.convert',
  'PUT /api/images/:name/upload': 'image.upload',
  'POST /api/vms/:id/disks': 'vm.disk.add',
  'DELETE /api/vms/:id/disks/:index': 'vm.disk.remove',
  'POST /api/vms/:id/nics': 'vm.nic.add',
  'PATCH /api/vms/:id/nics/:slot': 'vm.nic.change',
  'DELETE /api/vms/:id/nics/:slot': 'vm.nic.remove',
  'POST /api/vms/:id/usb': 'vm.usb.attach',
  'DELETE /api/vms/:id/usb/:slot': 'vm.usb.detach',
  'PUT /api/vms/:id/cdrom': 'vm.cdrom',
  'POST /api/vms/:id/snapshots': 'vm.snapshot.create',
  'PUT /api/vms/:id/snapshots/:name': 'vm.snapshot.describe',
  'POST /api/vms/:id/snapshots/:name/revert': 'vm.snapshot.revert',
  'DELETE /api/vms/:id/snapshots/:name': 'vm.snapshot.delete',
  'POST /api/vms/:id/migrate/check': null,
  'POST /api/vms/:id/migrate': 'vm.migrate',
  'POST /api/vms/:id/save': 'vm.save',
  'POST /api/migrations/:jobId/cancel': 'migration.cancel',
  'POST /api/saved-states/:name/restore': 'saved-state.restore',
  'DELETE /api/saved-states/:name': 'saved-state.delete',
  'POST /api/migrations/incoming/handshake': null,
  'POST /api/migrations/incoming': 'incoming.create',
  'POST /api/migrations/incoming/:id/finish': 'incoming.finish',
  'DELETE /api/migrations/incoming/:id': 'incoming.delete',
  'DELETE /api/migrations/incoming/uploads/:name': 'incoming.upload.delete',
  'DELETE /api/migrations/incoming/old-copies/:name': 'incoming.old-copy.delete',
  'PUT /api/host/name': 'host.name',
  'POST /api/tokens': 'token.create',
  'DELETE /api/tokens/:id': 'token.delete',
  'POST /api/peers': 'peer.add',
  // Reads the certificate a peer URL presents; nothing changes.
  'POST /api/peers/certificate': null,
  'DELETE /api/peers/:id': 'peer.remove',
  'POST /api/peers/:id/vms/:vmId/:action': 'peer.vm.action',
  'POST /api/networks': 'network.create',
  'DELETE /api/networks/:name': 'network.delete',
  'POST /api/networks/:name/start': 'network.start',
  'POST /api/networks/:name/stop': 'network.stop',
  'PUT /api/networks/:name/port-forwards': 'network.port-forwards',
};

/** Operations whose answer (202) names a job the task follows until it ends. */
export const JOB_OPS: ReadonlySet<string> = new Set(['vm.migrate', 'vm.save', 'saved-state.restore']);

/** Operations whose answer names the guest they made or brought back (its id, or `vmId` of a job). */
export const VM_MAKING_OPS: ReadonlySet<string> = new Set(['vm.create', 'saved-state.restore']);
