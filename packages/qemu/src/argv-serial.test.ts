import { describe, expect, it } from 'vitest';
import { buildArgv } from './argv.ts';
import { runtimePaths, type VmSpec } from './spec.ts';

const BASE: VmSpec = { name: 'com', memoryMiB: 64, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };
const paths = runtimePaths('/run/virtweb/com,1');

describe('serial ports', () => {
  it('adds ttyS1.. after the console, each on its own socket (commas in paths doubled)', () => {
    const argv = buildArgv({ ...BASE, serialPorts: 3 }, paths);
    const serials = argv.filter((_, i) => argv[i - 1] === '-serial');
    expect(serials).toEqual(['chardev:serial0', 'chardev:serial1', 'chardev:serial2']);
    expect(argv).toContain('socket,id=serial2,path=/run/virtweb/com,,1/serial2.sock,server=on,wait=off');
    expect(buildArgv({ ...BASE, serialPorts: 1 }, paths)).toEqual(buildArgv(BASE, paths));
  });

  it.each([0, 5, 1.5])('refuses %d ports', (n) => {
    expect(() => buildArgv({ ...BASE, serialPorts: n }, paths)).toThrow(/serial ports must be 1 to 4/);
  });
});
