import { diskBus, diskIds } from '@virtweb/qemu';
import { isQmpExecuteError, type QmpClient } from '@virtweb/qmp';
import { deleteDevice, UNPLUG_TIMEOUT_MS } from './live-devices.ts';

/**
 * Hot-plugs an image as disk slot `index`: file node, format node, then the virtio-blk device at the slot's
 * fixed place (the names and place a restart gives it too). Undoes the nodes when a later step fails.
 * @throws QmpExecuteError with qemu's refusal (lock held by another process, bad format, slot taken).
 */
export async function hotplugDisk(
  qmp: QmpClient,
  machine: 'q35' | 'pc',
  index: number,
  image: { path: string; qemuFormat: string },
): Promise<void> {
  const ids = diskIds(index);
  await qmp.execute('blockdev-add', { driver: 'file', filename: image.path, 'node-name': ids.file });
  try {
    await qmp.execute('blockdev-add', { driver: image.qemuFormat, file: ids.file, 'node-name': ids.node });
    try {
      await qmp.execute('device_add', {
        driver: 'virtio-blk-pci',
        drive: ids.node,
        id: ids.device,
        ...diskBus(machine, index),
      });
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
  timeoutMs = UNPLUG_TIMEOUT_MS,
): Promise<void> {
  const ids = diskIds(index);
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
