import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiError, baseMode, createGuest } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { GuestShell, powerOff } from './storage-guest.ts';

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

// Boot modes through the API. UEFI: OVMF code + the VM's own variable store, made at the first start, copied
// by a clone, removed with the VM (the test ISO's GRUB has an EFI loader). Direct kernel boot: the test guest's
// kernel and initramfs from the image store.
describe('UEFI and direct kernel boot of guests created through the API', () => {
  const server = useServer({ withGuestIso: true, withGuestKernel: true });
  const { dataDir } = server;
  let ovmf = true;

  beforeAll(async () => {
    ovmf = await exists('/usr/share/OVMF/OVMF_CODE_4M.fd');
  });

  it('boots to the serial marker under OVMF; its variable store lives and dies with it', async (ctx) => {
    if (!ovmf) ctx.skip(); // scripts/setup installs Debian's ovmf
    const { id } = await createGuest(server, 'efi', { memoryMiB: 512, firmware: 'uefi' });
    const vars = path.join(dataDir, 'nvram', `${id}_VARS.fd`);
    expect(await exists(vars)).toBe(false);
    const cl = (await server.api('GET', `/api/vms/${id}/command-line`)).body as {
      argv: string[];
      notes: string[];
    };
    expect(cl.argv).toContain(`if=pflash,format=raw,unit=1,file=${vars}`);
    expect(cl.notes.join('\n')).toMatch(/variable store is made from .*OVMF_VARS/);

    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const shell = await GuestShell.open(server, id, 1, 240_000);
    // The guest really runs on UEFI firmware: Linux exposes it in /sys/firmware/efi.
    expect(await shell.sh('test -d /sys/firmware/efi && echo efi || echo bios')).toBe('efi');
    shell.close();
    const template = await fs.stat('/usr/share/OVMF/OVMF_VARS_4M.fd');
    const own = await fs.stat(vars);
    expect(own.size).toBe(template.size);
    expect(baseMode(vars)).toBe(0o600); // plus an ACL entry for qemu's user when the server is root
    await powerOff(server, id);

    const clone = await server.api('POST', `/api/vms/${id}/clone`, { name: 'efi-clone', disks: [] });
    expect(clone.status, JSON.stringify(clone.body)).toBe(201);
    const cloneVars = path.join(dataDir, 'nvram', `${(clone.body as { id: string }).id}_VARS.fd`);
    expect(await fs.readFile(cloneVars)).toEqual(await fs.readFile(vars));

    // Going back to BIOS drops the store (it belongs to one OVMF build).
    const bios = await server.api('PUT', `/api/vms/${(clone.body as { id: string }).id}`, {
      name: 'efi-clone',
      memoryMiB: 512,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
      firmware: 'bios',
    });
    expect(bios.status, JSON.stringify(apiError(bios.body))).toBe(200);
    expect(await exists(cloneVars)).toBe(false);

    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
    expect(await exists(vars)).toBe(false);
    expect(await exists(path.join(dataDir, 'run', id))).toBe(false);
  }, 300_000);

  it('boots a kernel and initramfs from the image store directly, with its command line', async () => {
    const vm = await createGuest<{ id: string; boot: string }>(server, 'direct', {
      cdrom: undefined,
      kernel: {
        kernel: 'tinylinux.vmlinuz',
        initrd: 'tinylinux.initrd',
        cmdline: 'console=ttyS0,115200 no_timer_check virtweb.test=direct-boot',
      },
    });
    expect(vm.boot).toBe('kernel');
    expect((await server.api('POST', `/api/vms/${vm.id}/start`)).status).toBe(202);
    const shell = await GuestShell.open(server, vm.id);
    expect(await shell.sh('cat /proc/cmdline')).toBe(
      'console=ttyS0,115200 no_timer_check virtweb.test=direct-boot',
    );
    shell.close();
    await powerOff(server, vm.id);
  }, 180_000);
});
