import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellText, withPlaceholders } from './command-line.ts';

describe('shellText', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('-m')).toBe('-m');
    expect(shellQuote('user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22')).toBe(
      'user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22',
    );
    expect(shellQuote('{"driver":"file"}')).toBe(`'{"driver":"file"}'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('gives a line that a real shell splits back into the same argv', () => {
    const argv = [
      'qemu',
      '-name',
      'guest=a b,debug-threads=on',
      `{"filename":"/x/it's $HOME.img"}`,
      '',
      '*',
      'a\nb',
    ];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shellText(argv.slice(1))}`]);
    expect(out.toString().split('\0').slice(0, -1)).toEqual(argv.slice(1));
  });
});

describe('withPlaceholders', () => {
  it('replaces a path as written and comma-doubled', () => {
    const argv = [
      '-pidfile',
      '/d,x/run/000000000000/qemu.pid',
      '-qmp',
      'unix:/d,,x/run/000000000000/qmp.sock,server=on',
    ];
    expect(withPlaceholders(argv, [['/d,x/run/000000000000', '<run>/<new-vm-id>']])).toEqual([
      '-pidfile',
      '<run>/<new-vm-id>/qemu.pid',
      '-qmp',
      'unix:<run>/<new-vm-id>/qmp.sock,server=on',
    ]);
  });
});
