import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useServer } from './server-fixture.ts';

const execFileP = promisify(execFile);

// A guest owns the bytes of its raw disk. If it writes a qcow2 header there (naming a host file as backing
// file), the next start must still open the disk as raw: the format is recorded, never probed again.
describe('disk formats are recorded, not probed at each start', () => {
  const server = useServer();
  const { dataDir } = server;

  it('opens a raw disk as raw even after its content turned into a qcow2 header', async () => {
    expect(
      (await server.api('POST', '/api/images', { name: 'victim.img', format: 'raw', size: '16M' })).status,
    ).toBe(201);
    const vm = await server.api('POST', '/api/vms', {
      name: 'fmt',
      memoryMiB: 64,
      vcpus: 1,
      disks: [{ image: 'victim.img' }],
      nics: [],
    });
    expect(vm.status).toBe(201);
    const id = (vm.body as { id: string }).id;
    // What a malicious guest could write into its disk: a qcow2 header pointing at a host file.
    const evil = path.join(dataDir, 'evil.qcow2');
    await execFileP('qemu-img', ['create', '-f', 'qcow2', '-F', 'raw', '-b', '/etc/hostname', evil]);
    const header = await fs.readFile(evil);
    const fh = await fs.open(path.join(dataDir, 'images/victim.img'), 'r+');
    await fh.write(header, 0, header.length, 0);
    await fh.close();

    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const proc = (await server.api('GET', `/api/vms/${id}/process`)).body as { cmdline: string[] };
    const formatNode = proc.cmdline.find((a) => a.includes('"node-name":"disk0"'));
    expect(formatNode).toContain('"driver":"raw"');
    expect(proc.cmdline.join(' ')).not.toContain('/etc/hostname');
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
  });
});
