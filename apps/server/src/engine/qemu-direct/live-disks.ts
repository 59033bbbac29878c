import {
  SCSI_CONTROLLER,
  diskBlockdevs,
  diskDeviceProps,
  diskIds,
  scsiControllerProps,
  type DiskBus,
  type DiskOptionsSpec,
} from '@virtweb/qemu';
import { isQmpExecuteError, type QmpClient } from '@virtweb/qmp';
import { deleteDevice, UNPLUG_TIMEOUT_MS } from './live-devices.ts';

/**
 * Hot-plugs an image as disk slot `index` on `disk.bus` (virtio, scsi or usb): file node, format node (with the
 * disk's cache, discard and read-only), then the device at the slot's fixed place (the names and place a restart
 * gives it too); the virtio-scsi controller first when the guest has none yet. Undoes the nodes when a later step
 * fails (a controller it added stays: harmless, and the next start leaves it out when no SCSI disk needs it).
 * @throws QmpExecuteError with qemu's refusal (lock held by another process, bad format, slot taken).
 */
export async function hotplugDisk(
  qmp: QmpClient,
  machine: 'q35' | 'pc',
  index: number,
  image: { path: string; qemuFormat: string },
  disk: { bus: DiskBus } & DiskOptionsSpec,
): Promise<void> {
  const ids = diskIds(index, disk.bus);
  const [fileNode, formatNode] = diskBlockdevs(index, image.path, image.qemuFormat, disk);
  if (disk.bus === 'scsi' && !(await hasDevice(qmp, SCSI_CONTROLLER.id))) {
    await qmp.execute('device_add', scsiControllerProps(machine));
  }
  await qmp.execute('blockdev-add', { driver: 'file', ...fileNode });
  try {
    await qmp.execute('blockdev-add', { driver: image.qemuFormat, ...formatNode });
    try {
      await qmp.execute('device_add', diskDeviceProps(machine, index, disk.bus, disk));
    } catch (err) {
      await delNode(qmp, ids.node).catch(() => undefined);
      throw err;
    }
  } catch (err) {
    await delNode(qmp, ids.file).catch(() => undefined);
    throw err;
  }
}

/**
 * Unplugs disk slot `index`: `device_del`, waits for the guest to let go (DEVICE_DELETED), then removes its
 * block nodes. A device that is already gone (or was never plugged) only has its nodes removed.
 * @throws UnplugTimeoutError when the guest does not acknowledge within `timeoutMs`; QmpExecuteError.
 */
export async function unplugDisk(
  qmp: QmpClient,
  index: number,
  bus: DiskBus,
  timeoutMs = UNPLUG_TIMEOUT_MS,
): Promise<void> {
  const ids = diskIds(index, bus);
  await deleteDevice(qmp, ids.device, 'disk', timeoutMs);
  await delNode(qmp, ids.node);
  await delNode(qmp, ids.file);
}

/** blockdev-del that accepts an already missing node. */
async function delNode(qmp: QmpClient, node: string): Promise<void> {
  try {
    await qmp.execute('blockdev-del', { 'node-name': node });
  } catch (err) {
    if (isQmpExecuteError(err) && err.desc.includes('Failed to find node')) return;
    throw err;
  }
}

async function hasDevice(qmp: QmpClient, id: string): Promise<boolean> {
  try {
    await qmp.execute('qom-get', { path: `/machine/peripheral/${id}`, property: 'type' });
    return true;
  } catch (err) {
    if (isQmpExecuteError(err)) return false;
    throw err;
  }
}
