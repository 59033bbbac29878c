// The qemu-direct engine (virtweb runs qemu itself): the only way in from outside engine/ (main.ts builds it).
export { QemuDirectEngine } from './qemu-direct-engine.ts';
export { QemuLauncher } from './qemu-launcher.ts';
