// The preconditions of a migration, from what both hosts say; pure, so every rule is unit-tested.
import {
  formatBytes,
  LIVE_STATES,
  OFFLINE_STATES,
  usbDeviceText,
  type MigrationCheck,
  type Vm,
} from '@virtweb/protocol';
import { diskCheck } from './disk-checks.ts';
import type { LocalFacts, PeerFacts } from './facts.ts';

export type MigrationKind = 'live' | 'offline';

/** `live` for a guest with a qemu process, `offline` for a stopped one, else undefined (starting, ...). */
export function kindOf(state: Vm['state']): MigrationKind | undefined {
  if (LIVE_STATES.includes(state)) return 'live';
  if (OFFLINE_STATES.includes(state)) return 'offline';
  return undefined;
}

/** "7.2" of "7.2.22" (a live stream only loads into the same major.minor). */
export function majorMinor(version: string): string {
  return /^(\d+)\.(\d+)/.exec(version)?.slice(1, 3).join('.') ?? version;
}

/** The VM's read-only media: the CD and the direct-boot kernel and initrd. */
export function mediaOf(vm: Vm): string[] {
  return [
    ...(vm.cdrom === undefined ? [] : [vm.cdrom]),
    ...(vm.kernel === undefined ? [] : [vm.kernel.kernel]),
    ...(vm.kernel?.initrd === undefined ? [] : [vm.kernel.initrd]),
  ];
}

const check = (name: string, ok: boolean, detail: string): MigrationCheck => ({ name, ok, detail });

/**
 * Every precondition, each with plain words. A peer that does not answer yields only `peer` and `state`, one
 * of another migration protocol `peer`, `protocol` and `state`.
 * Disks (`disk-checks.ts`): the peer's files are the disks only when both hosts use one image store; else
 * they are copied (copy storage) or the move is refused. Media (CD, kernel): used when the peer has a file of
 * the same name and size (read-only media), copied there with copy storage, else refused.
 */
export function migrationChecks(
  local: LocalFacts,
  peer: PeerFacts,
  req: { copyStorage: boolean; options?: { postcopy?: boolean } },
): MigrationCheck[] {
  const { vm } = local;
  const kind = kindOf(vm.state);
  const checks = [stateCheck(vm, kind)];
  if (!peer.reachable) {
    checks.unshift(
      ...(peer.otherProtocol === true
        ? [check('peer', true, `${peer.name} answers`), check('protocol', false, peer.message)]
        : [check('peer', false, `${peer.name} does not answer: ${peer.message}`)]),
    );
    return checks;
  }
  checks.unshift(
    check('peer', true, `${peer.name} answers (${peer.latencyMs} ms)`),
    check('protocol', true, `migration protocol ${peer.protocol} on both hosts`),
  );
  const live = kind !== 'offline';
  checks.push(qemuCheck(local.qemuVersion, peer, live));
  if (live) checks.push(accelCheck(vm, peer, req.options?.postcopy === true));
  checks.push(diskCheck(local, peer, req.copyStorage, live));
  checks.push(mediaCheck(local, peer, req.copyStorage));
  checks.push(memoryCheck(vm, peer, live));
  const taken = peer.vms.some((v) => v.name === vm.name);
  checks.push(
    check(
      'name',
      !taken,
      taken ? `${peer.name} already has a VM named ${vm.name}` : `no VM named ${vm.name} on ${peer.name}`,
    ),
  );
  checks.push(firmwareCheck(vm, peer));
  if (vm.devices.tpm === 'tpm2') checks.push(tpmCheck(vm, peer, live));
  checks.push(configCheck(vm, peer));
  if (vm.usb.length > 0) checks.push(usbCheck(vm, peer, live));
  return checks;
}

/**
 * A passed-through USB device is plugged into this host: a running guest cannot take it along (the target's
 * qemu would look for it on the target). A stopped guest's list moves; the devices must be plugged in there.
 */
function usbCheck(vm: Vm, peer: PeerFacts & { reachable: true }, live: boolean): MigrationCheck {
  const names = vm.usb.map((u) => u.label ?? usbDeviceText(u)).join(', ');
  if (live) {
    return check('usb', false, `USB devices of this host are passed through (${names}): detach them first`);
  }
  return check('usb', true, `the USB devices (${names}) must be plugged into ${peer.name} to be used there`);
}

/** A TPM guest needs swtpm on the target (its state moves with it: in the stream live, as a file offline). */
function tpmCheck(vm: Vm, peer: PeerFacts & { reachable: true }, live: boolean): MigrationCheck {
  const tpm = peer.host.tpm;
  if (tpm?.swtpm !== true) {
    const why = tpm?.problem ?? 'its virtweb does not say whether it has swtpm';
    return check('tpm', false, `${peer.name} cannot run the guest's TPM 2.0: ${why}`);
  }
  const how = live ? 'in the migration stream' : 'as a file';
  return check('tpm', true, `TPM 2.0: ${peer.name} has swtpm; the TPM's state goes along ${how}`);
}

/** A UEFI guest needs OVMF on the target (its variable store moves with it; the code is the target's). */
function firmwareCheck(vm: Vm, peer: PeerFacts & { reachable: true }): MigrationCheck {
  if (vm.firmware === 'bios') return check('firmware', true, 'BIOS (SeaBIOS): nothing to carry');
  const fw = peer.host.firmware;
  if (!fw.uefi) {
    return check(
      'firmware',
      false,
      `${peer.name} has no UEFI firmware (OVMF): install Debian's ovmf package there, or move a BIOS guest`,
    );
  }
  if (vm.firmware === 'uefi-secure' && !fw.secureBoot) {
    return check(
      'firmware',
      false,
      `${peer.name} has no Secure Boot build of OVMF, and the guest boots with Secure Boot`,
    );
  }
  return check(
    'firmware',
    true,
    `${vm.firmware === 'uefi-secure' ? 'UEFI with Secure Boot' : 'UEFI'}: ${peer.name} has OVMF; the guest's variable store is copied there`,
  );
}

function stateCheck(vm: Vm, kind: MigrationKind | undefined): MigrationCheck {
  if (kind === 'live') return check('state', true, `${vm.state}: it moves live, the guest keeps running`);
  if (kind === 'offline') {
    return check(
      'state',
      true,
      `${vm.state}: its definition moves (offline), and its disks with copy storage`,
    );
  }
  return check('state', false, `the VM is ${vm.state}: wait until it is running, paused or stopped`);
}

function qemuCheck(
  localVersion: string,
  peer: PeerFacts & { reachable: true },
  live: boolean,
): MigrationCheck {
  const theirs = peer.host.qemu.version;
  const same = majorMinor(localVersion) === majorMinor(theirs);
  if (!live) {
    return check(
      'qemu',
      true,
      `an offline move needs no matching qemu (${localVersion} here, ${theirs} there)`,
    );
  }
  if (same) {
    const both =
      localVersion === theirs ? `qemu ${theirs} on both hosts` : `qemu ${localVersion} / ${theirs}`;
    return check('qemu', true, both);
  }
  return check(
    'qemu',
    false,
    `qemu ${localVersion} here, ${theirs} on ${peer.name}: a live migration needs the same major.minor version`,
  );
}

function accelCheck(vm: Vm, peer: PeerFacts & { reachable: true }, postcopy: boolean): MigrationCheck {
  const accel = vm.activeAccel ?? 'tcg';
  if (accel === 'kvm' && !peer.host.accel.kvm.usable) {
    return check('accelerator', false, `the guest runs with KVM here, and ${peer.name} has no usable KVM`);
  }
  // NOTE: qemu 7.2's post-copy under TCG corrupted the memory of a guest that kept writing RAM (its kernel
  // crashed on the target in about 1 run in 7; a quiet guest came through): refused rather than risked.
  if (accel === 'tcg' && postcopy) {
    return check(
      'accelerator',
      false,
      'post-copy is refused under TCG: qemu lost memory writes of busy TCG guests that way; migrate without ' +
        'post-copy (auto-converge or a higher downtime limit help a busy guest finish), or use it with KVM',
    );
  }
  return check(
    'accelerator',
    true,
    `the guest runs under ${accel.toUpperCase()}; ${peer.name} runs it the same way`,
  );
}

function mediaCheck(
  local: LocalFacts,
  peer: PeerFacts & { reachable: true },
  copyStorage: boolean,
): MigrationCheck {
  const media = mediaOf(local.vm);
  if (media.length === 0) return check('media', true, 'no CD or kernel image');
  const problems: string[] = [];
  const copied: string[] = [];
  for (const name of media) {
    const here = local.images.get(name);
    const there = peer.images.find((i) => i.name === name);
    if (!here) problems.push(`${name} is missing on this host`);
    else if (there && there.virtualSize !== here.virtualSize) {
      problems.push(`${name} on ${peer.name} is a different file (${formatBytes(there.virtualSize)})`);
    } else if (!there && copyStorage) copied.push(name);
    else if (!there) {
      problems.push(`${name} is missing on ${peer.name}: upload it there, eject it, or use copy storage`);
    }
  }
  if (problems.length > 0) return check('media', false, problems.join('; '));
  const same = media.filter((m) => !copied.includes(m));
  const parts = [
    ...(same.length > 0 ? [`${same.join(', ')} on ${peer.name} too`] : []),
    ...(copied.length > 0 ? [`${copied.join(', ')} copied to ${peer.name}`] : []),
  ];
  return check('media', true, parts.join('; '));
}

function memoryCheck(vm: Vm, peer: PeerFacts & { reachable: true }, live: boolean): MigrationCheck {
  const used = peer.vms.filter((v) => v.pid !== undefined).reduce((sum, v) => sum + v.memoryMiB * 2 ** 20, 0);
  const free = Math.max(0, peer.host.memoryBytes - used);
  const need = vm.memoryMiB * 2 ** 20;
  const words = `${peer.name} has ${formatBytes(free)} not taken by running guests; this one needs ${formatBytes(need)}`;
  if (!live) return check('memory', true, `not needed now (the guest is stopped): ${words}`);
  return check('memory', free >= need, words);
}

function configCheck(vm: Vm, peer: PeerFacts & { reachable: true }): MigrationCheck {
  for (const nic of vm.nics) {
    if (nic.mode === 'bridge' && !peer.host.network.bridges.includes(nic.bridge)) {
      return check('config', false, `${peer.name} has no bridge named ${nic.bridge}`);
    }
    if (nic.mode === 'tap' && !peer.host.network.taps.includes(nic.tap)) {
      return check('config', false, `${peer.name} has no tap device named ${nic.tap}`);
    }
  }
  return check('config', true, `${peer.name} has what the configuration needs (network)`);
}
