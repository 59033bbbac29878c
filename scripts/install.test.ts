// scripts/install and scripts/uninstall on this machine (as root, where no virtweb is installed: CI), and the
// installed server run as its unit says (user virtweb, its ambient capabilities, its environment file) booting
// the test guest, whose qemu runs as virtweb-qemu with no capability. systemd is not PID 1 here: the unit is
// checked with `systemd-analyze verify` and its settings are applied with setpriv.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { READY, TestServer, WsCollector } from '../apps/server/test/harness.ts';
import { until } from '../apps/server/test/until.ts';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const UNIT = '/etc/systemd/system/virtweb.service';
const CONF = '/etc/virtweb/virtweb.env';
const DATA = '/var/lib/virtweb';
const isRoot = process.getuid?.() === 0;
// Never over a real install: the test ends with `uninstall --purge`.
const installedBefore = fs.existsSync('/opt/virtweb') || fs.existsSync(CONF);
const why = !isRoot ? 'needs root' : installedBefore ? 'virtweb is installed on this machine' : '';

/** Key=value settings of the unit's [Service] section. */
function unitSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) settings.set(m[1], m[2]);
  }
  return settings;
}

function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
  }
  return env;
}

const status = (pid: number) => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
const field = (text: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1];

describe.skipIf(why !== '')(`scripts/install as a service ${why}`, () => {
  let server: ChildProcess | undefined;

  afterAll(async () => {
    server?.kill('SIGKILL');
    // Only the guests of the installed data dir: other tests' guests run as virtweb-qemu too.
    await run('pkill', ['-KILL', '-f', `qemu-system.* ${DATA}/`]).catch(() => undefined);
    await run(path.join(REPO, 'scripts/uninstall'), ['--purge']).catch(() => undefined);
  });

  it('installs (twice: idempotent, the configuration kept) and the unit passes systemd-analyze verify', async () => {
    await run(path.join(REPO, 'scripts/install'), [], { timeout: 120_000 });
    fs.appendFileSync(CONF, '# kept by the second run\n');
    const again = await run(path.join(REPO, 'scripts/install'), [], { timeout: 120_000 });
    expect(again.stdout).toMatch(/virtweb\.env kept/);
    expect(fs.readFileSync(CONF, 'utf8')).toMatch(/# kept by the second run/);

    // NOTE: systemd-analyze verify exits 0 on a unit with unknown settings: its complaints are on stderr.
    const verified = await run('systemd-analyze', ['verify', UNIT]);
    expect(verified.stderr).toBe('');
    // The check can fail: a unit with an unknown setting is reported.
    const broken = path.join(path.dirname(UNIT), 'virtweb-broken-test.service');
    fs.writeFileSync(
      broken,
      fs.readFileSync(UNIT, 'utf8').replace('[Service]', '[Service]\nNoSuchSetting=1'),
    );
    try {
      expect((await run('systemd-analyze', ['verify', broken])).stderr).toMatch(
        /Unknown key 'NoSuchSetting'/,
      );
    } finally {
      fs.rmSync(broken);
    }

    const { stdout: groups } = await run('id', ['-nG', 'virtweb']);
    expect(groups.split(/\s+/)).toContain('kvm');
    expect(fs.statSync(DATA).mode & 0o777).toBe(0o700);
    expect(fs.statSync(CONF).mode & 0o777).toBe(0o640);
    expect(fs.existsSync('/opt/virtweb/server/main.js')).toBe(true);
    const unit = unitSettings(fs.readFileSync(UNIT, 'utf8'));
    expect(unit.get('User')).toBe('virtweb');
    expect(unit.get('KillMode')).toBe('process');
  }, 240_000);

  it('runs the installed server as virtweb with only its unit capabilities; qemu runs as virtweb-qemu with none', async () => {
    const unit = unitSettings(fs.readFileSync(UNIT, 'utf8'));
    const caps = (unit.get('AmbientCapabilities') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`)
      .join(',');
    const [node = 'node', ...args] = (unit.get('ExecStart') ?? '').split(/\s+/);
    const { stdout: kvm } = await run('getent', ['group', 'kvm']);
    fs.mkdirSync(path.join(DATA, 'images'), { recursive: true });
    fs.copyFileSync(path.join(REPO, '.cache/tinylinux.iso'), path.join(DATA, 'images/tinylinux.iso'));
    await run('chown', ['-R', 'virtweb:virtweb', DATA]);

    const password = 'install-test-pw';
    expect(envFile(fs.readFileSync(CONF, 'utf8'))).toMatchObject({
      VIRTWEB_FIRST_RUN: 'setup-code',
      VIRTWEB_DEMO: '0',
    });
    const env = {
      ...envFile(fs.readFileSync(CONF, 'utf8')),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      VIRTWEB_HOST: '127.0.0.1',
      VIRTWEB_PORT: '0',
      VIRTWEB_ACCEL: 'tcg',
      // No `default` network on the test host.
      VIRTWEB_DEFAULT_NETWORK: 'off',
    };
    const startInstalled = async (): Promise<TestServer> => {
      const proc = spawn(
        'setpriv',
        [
          `--reuid=${unit.get('User') ?? ''}`,
          `--regid=${unit.get('Group') ?? ''}`,
          `--groups=${kvm.split(':')[2] ?? ''}`,
          `--inh-caps=-all,${caps}`,
          `--ambient-caps=-all,${caps}`,
          '--',
          node,
          ...args,
        ],
        { cwd: unit.get('WorkingDirectory') ?? '/', env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      server = proc;
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const started = new TestServer(DATA, password);
      started.url = await until('the installed server listening', () => {
        if (proc.exitCode !== null) throw new Error(`the installed server exited:\n${out}`);
        return Promise.resolve(/virtweb listening on (https:\/\/\S+)/.exec(out)?.[1]);
      });
      started.fingerprint = await until('its certificate', () =>
        Promise.resolve(/SHA-256 fingerprint (\S+)/.exec(out)?.[1]),
      );
      const code = /create the admin with the setup code (\S+)/.exec(out)?.[1];
      if (code !== undefined) {
        // The first visit of a real install: the admin made with the code the server printed to its log.
        const made = await started.api('POST', '/api/session/setup', { code, name: 'admin', password });
        expect(made.status, JSON.stringify(made.body)).toBeLessThan(300);
      }
      await started.login();
      return started;
    };
    let t = await startInstalled();

    const serverStatus = status(server?.pid ?? 0);
    const { stdout: ids } = await run('id', ['-u', 'virtweb']);
    expect(field(serverStatus, 'Uid')?.split(/\s+/)[0]).toBe(ids.trim());
    expect(field(serverStatus, 'CapEff')).not.toBe('0000000000000000');

    const created = await t.api('POST', '/api/vms', {
      name: 'installed',
      memoryMiB: 256,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
      nics: [],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { id: string }).id;
    expect((await t.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    await until('the guest running', async () => {
      const { state } = (await t.api('GET', `/api/vms/${id}`)).body as { state: string };
      return state === 'running' ? state : undefined;
    });
    // The console's scrollback holds the guest's output since its start.
    const serial = new WsCollector(t.ws(`/api/vms/${id}/serial`));
    await serial.opened();
    await serial.waitFor((c) => c.text.includes(READY), 'the test guest on the serial console', 90_000);

    const vm = (await t.api('GET', `/api/vms/${id}`)).body as { pid: number; state: string };
    expect(vm.state).toBe('running');
    const qemu = status(vm.pid);
    const { stdout: qemuUid } = await run('id', ['-u', 'virtweb-qemu']);
    expect(field(qemu, 'Uid')?.split(/\s+/)[0]).toBe(qemuUid.trim());
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
      expect(field(qemu, set), set).toBe('0000000000000000');
    expect(field(qemu, 'Seccomp')).toBe('2');
    serial.ws.close();

    // A restart of the service (KillMode=process: only the server goes) finds the guest again, same qemu.
    const first = server;
    first?.kill('SIGTERM');
    await until('the server gone', () =>
      Promise.resolve(first && (first.exitCode !== null || first.signalCode !== null) ? true : undefined),
    );
    t = await startInstalled();
    const adopted = (await t.api('GET', `/api/vms/${id}`)).body as { pid: number; state: string };
    expect(adopted).toMatchObject({ state: 'running', pid: vm.pid });

    expect((await t.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await until('the guest stopped', async () => {
      const { state } = (await t.api('GET', `/api/vms/${id}`)).body as { state: string };
      return state === 'stopped' ? state : undefined;
    });
  }, 240_000);

  it('uninstalls: keeps the data by default, --purge removes it and the service user', async () => {
    server?.kill('SIGTERM');
    await until('the server gone', () =>
      Promise.resolve(server?.exitCode !== null || server.signalCode !== null ? true : undefined),
    );
    await run(path.join(REPO, 'scripts/uninstall'));
    expect(fs.existsSync('/opt/virtweb')).toBe(false);
    expect(fs.existsSync(UNIT)).toBe(false);
    expect(fs.existsSync(CONF)).toBe(true);
    expect(fs.existsSync(DATA)).toBe(true);
    await run(path.join(REPO, 'scripts/uninstall'), ['--purge']);
    expect(fs.existsSync(DATA)).toBe(false);
    await expect(run('getent', ['passwd', 'virtweb'])).rejects.toThrow();
  });
});
