/**
 * A 512-byte boot sector (source: kvm-probe.S beside this file; `as --32` then `ld -m elf_i386 -Ttext 0x7c00
 * --oformat binary`). It prints 'R' on the debugcon port in real mode, switches to long mode, prints 'L' and
 * exits qemu through isa-debug-exit with code 33.
 */
const CODE_HEX =
  'fa31c08ed88ec08ed0bc007cb052e6e9bf00106631c0b9000c66f3ab66c70600100320000066c70600200330000066c706003083' +
  '000000660f0116907c0f20e06683c8200f22e066b8001000000f22d866b9800000c00f32660d000100000f300f20c0660d010000' +
  '800f22c066ea747c00000800b04ce6e9b010e6f4f4ebfd90000000000000000000000000009a20000f00807c';

/** qemu's exit status when the probe reached 64-bit code: isa-debug-exit turns value v into (v << 1) | 1. */
export const PROBE_SUCCESS_EXIT = 33;

export function kvmProbeBootSector(): Buffer {
  const sector = Buffer.alloc(512);
  Buffer.from(CODE_HEX, 'hex').copy(sector);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}
