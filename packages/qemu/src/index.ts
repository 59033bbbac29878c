// The only public surface of @virtweb/qemu: VmSpec -> argv, qemu-img, and the qemu process supervisor.
export type { VmSpec, RuntimePaths } from './spec.ts';
export { runtimePaths, DISK_SLOTS } from './spec.ts';
export { buildArgv, escapeOptValue, diskIds, diskBus, CDROM_IDS, type ArgvOptions } from './argv.ts';
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
export { startQemu, type StartQemuOptions } from './supervisor/start.ts';
export { adoptQemu, type AdoptQemuOptions } from './supervisor/adopt.ts';
export { QemuProcess } from './supervisor/process.ts';
export type { StopOptions } from './supervisor/stop.ts';
export {
  classifyExit,
  inspectDeadGuest,
  type QemuExit,
  type ExitFacts,
  type ShutdownInfo,
  type StopStep,
} from './supervisor/exit.ts';
