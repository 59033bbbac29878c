// The libvirt engine (guests of a libvirt connection): the only way in from outside engine/ (main.ts builds it).
export { LibvirtEngine } from './libvirt-engine.ts';
export { LibvirtHost } from './libvirt-host.ts';
