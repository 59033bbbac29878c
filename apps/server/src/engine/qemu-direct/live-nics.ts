import { hostfwds, nicDeviceProps, nicIds, type NicSpec } from '@virtweb/qemu';
import { isQmpExecuteError, type QmpClient, type QmpNetdev } from '@virtweb/qmp';
import { deleteDevice, UNPLUG_TIMEOUT_MS } from './live-devices.ts';

/**
 * Hot-plugs NIC `nic` at its slot's fixed place (the ids and place a restart gives it too): the backend, then
 * the device; the backend goes again when the device is refused.
 * @throws QmpExecuteError with qemu's refusal (slot taken, a host port in use, no such tap)
 */
export async function plugNic(qmp: QmpClient, machine: 'q35' | 'pc', nic: NicSpec): Promise<void> {
  const ids = nicIds(nic.slot);
  await qmp.execute('netdev_add', netdevOf(nic));
  try {
    await qmp.execute('device_add', { ...nicDeviceProps(nic, machine) });
  } catch (err) {
    await qmp.execute('netdev_del', { id: ids.netdev }).catch(() => undefined);
    throw err;
  }
}

function netdevOf(nic: NicSpec): QmpNetdev {
  const id = nicIds(nic.slot).netdev;
  if (nic.mode === 'tap') return { type: 'tap', id, ifname: nic.tap, script: 'no', downscript: 'no' };
  return { type: 'user', id, hostfwd: hostfwds(nic.portForwards).map((str) => ({ str })) };
}

/**
 * Unplugs NIC `slot`: `device_del`, waits for the guest to let go (DEVICE_DELETED), then removes the backend.
 * A device that is already gone only has its backend removed.
 * @throws UnplugTimeoutError when the guest does not acknowledge within `timeoutMs` (the backend stays: the
 *   device may still use it); QmpExecuteError.
 */
export async function unplugNic(qmp: QmpClient, slot: number, timeoutMs = UNPLUG_TIMEOUT_MS): Promise<void> {
  const ids = nicIds(slot);
  await deleteDevice(qmp, ids.device, 'NIC', timeoutMs);
  try {
    await qmp.execute('netdev_del', { id: ids.netdev });
  } catch (err) {
    // NOTE: qemu 7.2 says "Device 'net1' not found" for a backend that is gone already.
    if (!(isQmpExecuteError(err) && err.errorClass === 'DeviceNotFound')) throw err;
  }
}
