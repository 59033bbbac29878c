import { describe, expect, it } from 'vitest';
import { LibvirtUriSchema } from './connections.ts';

const issues = (uri: string): string[] => {
  const r = LibvirtUriSchema.safeParse(uri);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('libvirt URIs', () => {
  it("accepts virt-manager's connections: local, over SSH, over TLS", () => {
    for (const uri of [
      'qemu:///system',
      'qemu:///system?socket=/tmp/vw-x/libvirt-sock',
      'qemu+ssh://root@lab.example/system',
      'qemu+ssh://lab:2222/system',
      'qemu+tls://10.0.0.5/system',
      'qemu+tls://[fd00::5]/system',
    ]) {
      expect(issues(uri), uri).toEqual([]);
    }
  });

  it('refuses, saying why: another scheme, path, a password, a host on a local URI, unknown parameters', () => {
    expect(issues('http://x/system')[0]).toMatch(/transport is qemu/);
    expect(issues('qemu:///embed')[0]).toMatch(/path is \/system or \/session/);
    expect(issues('qemu+ssh://u:secret@h/system')[0]).toMatch(/no password/);
    expect(issues('qemu://h/system')[0]).toMatch(/names no host/);
    expect(issues('qemu+ssh:///system')[0]).toMatch(/needs a host/);
    expect(issues('qemu+ssh://h/system?socket=/x')[0]).toMatch(/not supported with a remote transport/);
    expect(issues('qemu:///system?socket=../x')[0]).toMatch(/absolute path/);
    expect(issues('qemu:///system?command=/bin/sh')[0]).toMatch(/parameter command is not supported/);
    expect(issues('not a uri')[0]).toMatch(/not a URI/);
  });
});
