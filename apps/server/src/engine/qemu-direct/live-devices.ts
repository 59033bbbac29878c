import { isQmpExecuteError, type QmpClient, type QmpEventMessage } from '@virtweb/qmp';
import { UnplugTimeoutError } from '../errors.ts';

/** How long a guest gets to acknowledge a PCI hot-unplug (ACPI eject) before the request is reported stuck. */
export const UNPLUG_TIMEOUT_MS = 60_000;

/**
 * `device_del` of a hot-unpluggable device (`what`: "disk", "NIC", for messages), resolved once the guest let
 * go of it (DEVICE_DELETED). A device that is gone already (or was never plugged) resolves at once.
 * @throws UnplugTimeoutError when the guest does not acknowledge within `timeoutMs`; QmpExecuteError.
 */
export async function deleteDevice(
  qmp: QmpClient,
  device: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deleted = deviceDeleted(qmp, device, what, timeoutMs);
  try {
    await qmp.execute('device_del', { id: device });
    await deleted.promise;
  } catch (err) {
    deleted.cancel();
    if (isQmpExecuteError(err) && err.errorClass === 'DeviceNotFound') return;
    // NOTE: a second request while the guest still works on the first is refused with "... is already in
    // the process of unplug": keep waiting for that one.
    if (!(isQmpExecuteError(err) && err.desc.includes('already in the process of unplug'))) throw err;
    await deviceDeleted(qmp, device, what, timeoutMs).promise;
  }
}

function deviceDeleted(
  qmp: QmpClient,
  device: string,
  what: string,
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
            `hot-unplug? qemu removes the ${what} once the guest acknowledges)`,
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
