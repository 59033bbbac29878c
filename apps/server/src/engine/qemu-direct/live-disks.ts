import { diskBus, diskIds } from '@virtweb/qemu';
import { UnplugTimeoutError } from '../errors.ts';
import { isQmpExecuteError, type QmpClient, type QmpEventMessage } from '@virtweb/qmp';

/** How long a guest gets to acknowledge a PCI hot-unplug (ACPI eject) before the request is reported stuck. */
export const UNPLUG_TIMEOUT_MS = 60_000;

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
  const deleted = deviceDeleted(qmp, ids.device, timeoutMs);
  try {
    await qmp.execute('device_del', { id: ids.device });
    await deleted.promise;
  } catch (err) {
    deleted.cancel();
    if (!(isQmpExecuteError(err) && err.errorClass === 'DeviceNotFound')) {
      // NOTE: a second request while the guest still works on the first is refused with "... is already in
      // the process of unplug": keep waiting for that one.
      if (!(isQmpExecuteError(err) && err.desc.includes('already in the process of unplug'))) throw err;
      await deviceDeleted(qmp, ids.device, timeoutMs).promise;
    }
  }
  await delNode(qmp, ids.node);
  await delNode(qmp, ids.file);
}

function deviceDeleted(
  qmp: QmpClient,
  device: string,
  timeoutMs: number,
): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => undefined;
  const promise = new Promise<void>((resolve, reject) => {
    const onDeleted = (e: QmpEventMessage<'DEVICE_DELETED'>) => {
      if (e.data.device !== device) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new UnplugTimeoutError(
          `the guest did not release ${device} within ${Math.round(timeoutMs / 1000)} s (does it handle PCI ` +
            'hot-unplug? qemu removes the disk once the guest acknowledges)',
        ),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      qmp.off('DEVICE_DELETED', onDeleted);
    };
    cancel = done;
    qmp.on('DEVICE_DELETED', onDeleted);
  });
  // The caller may stop waiting (device_del refused): an unobserved rejection must not crash the server.
  promise.catch(() => undefined);
  return { promise, cancel };
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
