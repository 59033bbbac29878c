import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuest, makeDataDir, READY, TEST_ISO, TestServer, WsCollector } from './harness.ts';
import { disposeServer, useServer } from './server-fixture.ts';
import { errorCode, errorMessage, GuestShell, makeMarkerIso, waitVm, type VmBody } from './storage-guest.ts';

const run = promisify(execFile);
const QEMU_USER = 'virtweb-qemu';
const SANDBOX = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';
const BRIDGE = 'vwtestbr';

interface Guest extends VmBody {
  pid?: number;
  lastExit?: { kind: string; reason: string };
}

/** `Uid:`, `Gid:`, `Groups:` and `Seccomp:` of /proc/<pid>/status. */
async function procStatus(pid: number): Promise<Record<string, string>> {
  const text = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split(':\t'))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k, v.trim()]),
  );
}

/** A file only root may touch (as the server's own image operations leave them). */
async function rootOnly(file: string): Promise<void> {
  await fs.chmod(file, 0o600);
  expect((await fs.stat(file)).uid).toBe(0);
}

// The server runs as root here: every qemu must run as virtweb-qemu (scripts/setup makes it), under the sandbox.
describe('qemu confined: an unprivileged user and the seccomp sandbox', () => {
  let ids: { uid: number; gid: number };
  let id = '';

  // The host's side before the server: root, the qemu user, a bridge (deleted once the server and its
  // guests are gone: hooks registered first are torn down last).
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('these tests need root (the server drops qemu to a user)');
    const entry = await run('getent', ['passwd', QEMU_USER]).catch(() => {
      throw new Error(`user ${QEMU_USER} is missing: run ./scripts/setup`);
    });
    const [, , uid, gid] = entry.stdout.split(':');
    ids = { uid: Number(uid), gid: Number(gid) };
    execFileSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    execFileSync('ip', ['link', 'set', 'dev', BRIDGE, 'up']);
  });
  afterAll(() => {
    execFileSync('ip', ['link', 'delete', 'dev', BRIDGE], { stdio: 'ignore' });
  });
  const server = useServer({
    withGuestIso: true,
    prepare: (dir) => rootOnly(path.join(dir, 'images/tinylinux.iso')),
  });
  const { dataDir } = server;

  const vm = async (vmId = id) => (await server.api('GET', `/api/vms/${vmId}`)).body as Guest;
  const pidOf = async (vmId = id): Promise<number> => {
    const pid = (await vm(vmId)).pid;
    if (pid === undefined) throw new Error('no qemu pid');
    return pid;
  };

  beforeAll(async () => {
    id = (await createGuest(server, 'confined', { boot: 'cdrom', machine: 'pc' })).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    (await GuestShell.open(server, id)).close();
  }, 180_000);

  it("runs qemu as virtweb-qemu from the start, with no groups besides its own, under qemu's sandbox", async () => {
    const pid = await pidOf();
    const status = await procStatus(pid);
    expect(status.Uid).toBe(`${ids.uid}\t${ids.uid}\t${ids.uid}\t${ids.uid}`);
    expect(status.Gid).toBe(`${ids.gid}\t${ids.gid}\t${ids.gid}\t${ids.gid}`);
    expect(status.Groups).toBe('');
    expect(status.Seccomp).toBe('2'); // SECCOMP_MODE_FILTER
    const argv = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    expect(argv[argv.indexOf('-sandbox') + 1]).toBe(SANDBOX);
    // No secret of the server's in qemu's environment (the user could read it there).
    expect(await fs.readFile(`/proc/${pid}/environ`, 'utf8')).not.toContain('VIRTWEB_PASSWORD');
    // The data dir stays root's 0700, passable (not listable) by the user.
    expect((await fs.stat(dataDir)).uid).toBe(0);
    const acl = (await run('getfacl', ['-cnp', dataDir])).stdout;
    expect(acl).toMatch(new RegExp(`^user:${ids.uid}:--x$`, 'm'));
    expect((await server.api('GET', '/api/host')).body).toMatchObject({
      qemu: { confinement: { user: QEMU_USER, uid: ids.uid, gid: ids.gid, sandbox: SANDBOX } },
    });
  });

  it('hot-plugs a disk the server made as root (0600), and changes the CD to a root-only ISO', async () => {
    const disk = path.join(dataDir, 'images/extra.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
    await rootOnly(disk);
    const added = await server.api('POST', `/api/vms/${id}/disks`, { image: 'extra.qcow2' });
    expect(added.status, errorMessage(added.body)).toBe(201);
    const iso = path.join(dataDir, 'images/other.iso');
    await makeMarkerIso(iso, 'OTHER');
    await rootOnly(iso);
    const changed = await server.api('PUT', `/api/vms/${id}/cdrom`, { image: 'other.iso', force: true });
    expect(changed.status, errorMessage(changed.body)).toBe(200);
    const acl = (await run('getfacl', ['-cnp', disk, iso])).stdout;
    expect(acl).toMatch(new RegExp(`^user:${ids.uid}:rw-$`, 'm'));
    expect(acl).toMatch(new RegExp(`^user:${ids.uid}:r--$`, 'm'));
  });

  it("takes a screenshot: qemu writes into its run dir, but cannot replace the server's files there", async () => {
    const runDir = path.join(dataDir, 'run', id);
    const dir = await fs.stat(runDir);
    expect({ uid: dir.uid, gid: dir.gid, mode: dir.mode & 0o7777 }).toEqual({
      uid: 0,
      gid: ids.gid,
      mode: 0o1770,
    });
    // As qemu's user (what a compromised qemu could do): the sticky bit keeps root's launched.json in place.
    const launched = path.join(runDir, 'launched.json');
    const before = await fs.readFile(launched, 'utf8');
    const asQemu = (cmd: string, ...args: string[]) =>
      run(cmd, args, { uid: ids.uid, gid: ids.gid }).then(
        () => 'done',
        () => 'refused',
      );
    expect(await asQemu('/bin/rm', '-f', launched)).toBe('refused');
    expect(await asQemu('/bin/mv', '-f', path.join(runDir, 'qemu.pid'), launched)).toBe('refused');
    expect(await fs.readFile(launched, 'utf8')).toBe(before);
    const shot = await server.api('GET', `/api/vms/${id}/screenshot.png`);
    expect(shot.status).toBe(200);
    expect(shot.headers.get('content-type')).toBe('image/png');
  });

  it('saves the state through a socket qemu may connect to, and restores it into an unprivileged qemu', async () => {
    const save = await server.api('POST', `/api/vms/${id}/save`, { name: 'confined-state' });
    expect(save.status, errorMessage(save.body)).toBe(202);
    const stopped = await waitVm(server, id, (v) => v.state === 'stopped', 'the save', 120_000);
    expect((stopped as Guest).lastExit?.reason).toBe('saved to confined-state.vmstate.zst');
    // Restorable as soon as the guest shows it was saved: its description is written before that.
    const restore = await server.api('POST', '/api/saved-states/confined-state.vmstate.zst/restore');
    expect(restore.status, errorMessage(restore.body)).toBe(202);
    await waitVm(server, id, (v) => v.state === 'running', 'the restore', 120_000);
    expect((await procStatus(await pidOf())).Uid?.split('\t')[0]).toBe(String(ids.uid));
  }, 240_000);

  it('boots a UEFI guest: the variable store the server made is given to qemu read-write', async () => {
    const uefi = (await createGuest(server, 'uefi', { boot: 'cdrom', firmware: 'uefi' })).id;
    try {
      expect((await server.api('POST', `/api/vms/${uefi}/start`)).status).toBe(202);
      const serial = new WsCollector(server.ws(`/api/vms/${uefi}/serial`));
      await serial.waitFor((c) => c.text.includes(READY), 'the UEFI guest ready marker', 180_000);
      serial.ws.close();
      expect((await procStatus(await pidOf(uefi))).Uid?.split('\t')[0]).toBe(String(ids.uid));
      const vars = (await run('getfacl', ['-cnp', path.join(dataDir, `nvram/${uefi}_VARS.fd`)])).stdout;
      expect(vars).toMatch(new RegExp(`^user:${ids.uid}:rw-$`, 'm'));
    } finally {
      await server.api('POST', `/api/vms/${uefi}/poweroff`);
    }
  }, 240_000);

  it('refuses a tap qemu could not open (owned by root), accepts one owned by virtweb-qemu', async () => {
    const tap = `vwt${process.pid % 100000}`;
    const body = (t: string) => ({ name: `tap-${t}`, nics: [{ mode: 'tap', model: 'virtio', tap: t }] });
    try {
      execFileSync('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap', 'user', '0']);
      const refused = await server.api('POST', '/api/vms', { ...bodyBase(), ...body(tap) });
      expect(refused.status).toBe(400);
      expect(errorMessage(refused.body)).toContain(
        `tap ${tap} is not ${QEMU_USER}'s, the user qemu runs as, so qemu cannot open it`,
      );
      execFileSync('ip', ['link', 'delete', 'dev', tap]);
      execFileSync('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap', 'user', QEMU_USER]);
      expect((await server.api('POST', '/api/vms', { ...bodyBase(), ...body(tap) })).status).toBe(201);
    } finally {
      execFileSync('ip', ['link', 'delete', 'dev', tap], { stdio: 'ignore' });
    }
  });

  it('puts a tap of virtweb-qemu on the bridge, the guest NIC comes up, the tap goes with qemu', async () => {
    const nics = [{ mode: 'bridge', model: 'virtio', bridge: BRIDGE }];
    const { id } = await createGuest(server, 'bridged', { boot: 'cdrom', nics });
    const start = await server.api('POST', `/api/vms/${id}/start`);
    expect(start.status, errorMessage(start.body)).toBe(202);
    const tap = `/sys/class/net/vw${id}0`;
    expect(path.basename(await fs.readlink(`${tap}/master`))).toBe(BRIDGE);
    const { stdout } = await run('id', ['-u', QEMU_USER]);
    expect((await fs.readFile(`${tap}/owner`, 'utf8')).trim()).toBe(stdout.trim());
    const shell = await GuestShell.open(server, id);
    await shell.until('cat /sys/class/net/eth0/operstate', (o) => o.endsWith('up'), 'eth0 up', 30_000);
    shell.close();
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await waitVm(server, id, (v) => v.state === 'stopped', 'the power-off');
    for (let i = 0; i < 50 && (await exists(tap)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await exists(tap)).toBe(false);
  }, 180_000);

  // Last: it ends the shared guest's qemu.
  it('HMP `migrate "exec:..."` runs nothing: the sandbox kills qemu, reported as crashed in plain words', async () => {
    const marker = `/tmp/vw-exec-${crypto.randomBytes(6).toString('hex')}`;
    const monitor = new WsCollector(server.ws(`/api/vms/${id}/monitor`));
    await monitor.waitFor((c) => c.text.includes('(qemu) '), 'the monitor prompt', 10_000);
    monitor.ws.send(Buffer.from(`migrate "exec:touch ${marker}"\r`));
    const crashed = (await waitVm(server, id, (v) => v.state === 'crashed', 'the crash', 30_000)) as Guest;
    expect(crashed.lastExit).toMatchObject({
      kind: 'crashed',
      reason:
        'qemu was killed by its sandbox (seccomp): it tried to run a program, e.g. a `migrate exec:` command; nothing ran',
    });
    // What is checked is that nothing appears: no marker half a second after the crash either.
    await new Promise((r) => setTimeout(r, 500));
    await expect(fs.access(marker)).rejects.toThrow(/ENOENT/);
  });
});

describe('a root server without its qemu user', () => {
  it('refuses to start guests with a 409 that names the fix, and says so on the host page', async () => {
    const dataDir = await makeDataDir(true);
    await withServer(dataDir, { VIRTWEB_QEMU_USER: 'vw-missing-user' }, async (server) => {
      const { id } = await createGuest(server, 'nobody');
      const start = await server.api('POST', `/api/vms/${id}/start`);
      expect(start.status).toBe(409);
      expect(errorCode(start.body)).toBe('qemu_user');
      const message = errorMessage(start.body);
      expect(message).toContain("qemu's user vw-missing-user does not exist");
      expect(message).toContain('run scripts/setup');
      expect(message).toContain('VIRTWEB_QEMU_USER');
      expect((await server.api('GET', `/api/vms/${id}`)).body).toMatchObject({ state: 'defined' });
      const host = (await server.api('GET', '/api/host')).body as {
        qemu: { confinement: { problem: string } };
      };
      expect(host.qemu.confinement.problem).toContain('vw-missing-user does not exist');
    });
  });
});

describe('a data dir qemu cannot reach', () => {
  it('refuses to start with the directory that stops qemu and the fix, changing nothing above the data dir', async () => {
    // The directories above the data dir are the host's: the server does not open them up itself.
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-closed-'));
    const dataDir = path.join(parent, 'data');
    await fs.mkdir(path.join(dataDir, 'images'), { recursive: true });
    await fs.copyFile(TEST_ISO, path.join(dataDir, 'images/tinylinux.iso'));
    await withServer(dataDir, {}, async (server) => {
      const { id } = await createGuest(server, 'shut-out');
      const start = await server.api('POST', `/api/vms/${id}/start`);
      expect(start.status).toBe(409);
      expect(errorCode(start.body)).toBe('qemu_user');
      expect(errorMessage(start.body)).toContain(
        `qemu's user ${QEMU_USER} cannot reach the data dir ${dataDir}: ${parent} does not let it pass`,
      );
      expect(errorMessage(start.body)).toContain(`setfacl -m u:${QEMU_USER}:x ${parent}`);
      expect((await fs.stat(parent)).mode & 0o777).toBe(0o700);
    });
    await fs.rm(parent, { recursive: true, force: true });
  });
});

/** A logged-in server of its own for one test; stopped, and its data dir removed, afterwards. */
async function withServer(
  dataDir: string,
  env: Record<string, string>,
  test: (server: TestServer) => Promise<void>,
): Promise<void> {
  const server = new TestServer(dataDir, undefined, env);
  try {
    await server.start();
    await server.login();
    await test(server);
  } finally {
    await disposeServer(server);
  }
}

function bodyBase(): Record<string, unknown> {
  return { memoryMiB: 256, vcpus: 1, cdrom: 'tinylinux.iso' };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
