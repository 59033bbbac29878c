// Helpers of the storage integration tests: a root shell on the guest's serial console, HMP, small ISOs.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { READY, WsCollector, type TestServer } from './harness.ts';

const run = promisify(execFile);

export interface VmBody {
  id: string;
  state: string;
  disks: { image: string; index: number }[];
  cdrom?: string;
  machine: string;
}

/** Writes a marker to sector 2048 of the first virtio disk (no file system needed: busybox dd on the device). */
export const WRITE_MARKER = (text: string): string =>
  `echo ${text} | dd of=/dev/vda bs=512 seek=2048 conv=fsync 2>/dev/null`;
/** Reads that marker back, past the guest's page cache. */
export const READ_MARKER =
  'echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 skip=2048 count=1 2>/dev/null | head -n1';

export const errorCode = (body: unknown): string | undefined =>
  (body as { error?: { code?: string } } | undefined)?.error?.code;
export const errorMessage = (body: unknown): string =>
  (body as { error?: { message?: string } } | undefined)?.error?.message ?? '';

/** A root shell on the serial console: `sh(cmd)` runs one command line and resolves with its output. */
export class GuestShell {
  private seq = 0;
  private constructor(private readonly con: WsCollector) {}

  /** Connects and waits for the ready marker of the current boot (`boots`: how many markers to expect). */
  static async open(server: TestServer, id: string, boots = 1, timeoutMs = 150_000): Promise<GuestShell> {
    const con = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    await con.waitFor((c) => c.text.split(READY).length > boots, 'the guest ready marker', timeoutMs);
    return new GuestShell(con);
  }

  async sh(cmd: string, timeoutMs = 60_000): Promise<string> {
    const n = ++this.seq;
    const from = this.con.text.length;
    // Markers are printed by echo, never typed as such ('<<'b1'>>' prints <<b1>>), so the terminal's echo of
    // the (possibly wrapped) command line cannot match them.
    this.con.ws.send(`echo '<<'b${n}'>>'; ${cmd}; echo '<<'e${n}'>>'\n`);
    const begin = `<<b${n}>>`;
    const end = `<<e${n}>>`;
    await this.con.waitFor((c) => c.text.indexOf(end, from) >= 0, `guest command ${cmd}`, timeoutMs);
    const text = this.con.text;
    return text.slice(text.indexOf(begin, from) + begin.length, text.indexOf(end, from)).trim();
  }

  /** Polls a shell command until `pred` holds for its output. */
  async until(
    cmd: string,
    pred: (out: string) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const out = await this.sh(cmd);
      if (pred(out)) return out;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; last output:\n${out}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  close(): void {
    this.con.ws.close();
  }
}

/** One HMP command on the guest's monitor socket (the path a human at the qemu console takes). */
export async function hmp(dataDir: string, id: string, command: string): Promise<string> {
  const sock = net.createConnection(path.join(dataDir, 'run', id, 'monitor.sock'));
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const prompts = () => text.split('(qemu)').length - 1;
  const wait = async (n: number) => {
    const t0 = Date.now();
    while (prompts() < n) {
      if (Date.now() - t0 > 15_000) throw new Error(`no HMP prompt; got ${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await wait(1);
    sock.write(`${command}\n`);
    await wait(2);
    return text;
  } finally {
    sock.destroy();
  }
}

/** A small ISO 9660 image whose root holds `marker.txt` with `marker` (xorriso, as scripts/setup installs). */
export async function makeMarkerIso(file: string, marker: string): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-iso-'));
  try {
    await fs.writeFile(path.join(dir, 'marker.txt'), `${marker}\n`);
    await run('xorriso', ['-as', 'mkisofs', '-quiet', '-V', marker.slice(0, 16), '-o', file, dir]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Polls GET /api/vms/:id until `pred` holds. */
export async function waitVm(
  server: TestServer,
  id: string,
  pred: (vm: VmBody) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<VmBody> {
  const t0 = Date.now();
  for (;;) {
    const vm = (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
    if (pred(vm)) return vm;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(vm)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Powers the VM off (QMP quit) and waits until it is stopped. */
export async function powerOff(server: TestServer, id: string): Promise<void> {
  const res = await server.api('POST', `/api/vms/${id}/poweroff`);
  if (res.status !== 202) throw new Error(`poweroff: ${res.status} ${JSON.stringify(res.body)}`);
  await waitVm(server, id, (vm) => vm.state === 'stopped', 'stopped');
}
