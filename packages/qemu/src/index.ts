// The only public surface of @virtweb/qemu: VmSpec -> argv, qemu-img, and the qemu process supervisor.
export type {
  VmSpec,
  RuntimePaths,
  NicSpec,
  PortForwardSpec,
  FirmwareSpec,
  DevicesSpec,
  SharedFolderSpec,
} from './spec.ts';
export { runtimePaths, DISK_SLOTS, NIC_SLOTS, MAX_SERIAL_PORTS } from './spec.ts';
export {
  buildArgv,
  escapeOptValue,
  diskIds,
  diskBus,
  diskBusCapacity,
  SCSI_CONTROLLER,
  cacheNeedsDirectIo,
  diskBlockdevs,
  diskDeviceProps,
  scsiControllerProps,
  type DiskCache,
  type DiskDiscard,
  type DiskOptionsSpec,
  ideDiskCapacity,
  ideDiskPositions,
  CDROM_IDS,
  nicIds,
  nicBus,
  nicDeviceProps,
  type NicDeviceProps,
  hostfwds,
  NIC_DEVICES,
  BALLOON_ID,
  TPM_IDS,
  QEMU_SANDBOX,
  DEFAULT_NICS,
  MAX_SHARED_FOLDERS,
  SHARED_FOLDER_TAG,
  sharedFolderIds,
  type ArgvOptions,
  type DiskBus,
  type Machine,
} from './argv.ts';
export { USB_SLOTS, usbHostId, usbHostProps, type UsbHostSpec } from './argv-usb.ts';
export { findOvmf, createVarsFile, OVMF_DIR, type OvmfFiles, type OvmfLookup } from './firmware.ts';
export {
  createImage,
  imageInfo,
  resizeImage,
  convertImage,
  ImageExistsError,
  type CreateImageOptions,
  type ResizeImageOptions,
  type ConvertImageOptions,
  type ImageFormatName,
  type ImageInfo,
  type ImageInfoOptions,
  type QemuImgOptions,
} from './qemu-img.ts';
export {
  QemuError,
  QemuImgError,
  QemuStartError,
  QemuAdoptError,
  isQemuError,
  isQemuImgError,
  isQemuStartError,
  isQemuAdoptError,
} from './errors.ts';
export {
  startQemu,
  prepareRunDir,
  qemuEnvironment,
  type StartQemuOptions,
  type QemuIdentity,
} from './supervisor/start.ts';
export { spawnAs, type SpawnAs } from './supervisor/run-as.ts';
export { adoptQemu, type AdoptQemuOptions } from './supervisor/adopt.ts';
export { isAlive, readPidFile } from './supervisor/pid.ts';
export { QemuProcess } from './supervisor/process.ts';
export type { StopOptions } from './supervisor/stop.ts';
export {
  classifyExit,
  inspectDeadGuest,
  SANDBOX_KILL_REASON,
  type QemuExit,
  type ExitFacts,
  type ShutdownInfo,
  type StopStep,
} from './supervisor/exit.ts';
