import path from 'node:path';
import {
  adoptQemu,
  buildArgv,
  inspectDeadGuest,
  runtimePaths,
  startQemu,
  type QemuProcess,
  type VmSpec,
} from '@virtweb/qemu';
import type { ResolvedAccel, VmExit } from '@virtweb/protocol';
import type { ImageService } from '../images/image-service.ts';
import type { HostCapabilities } from '../host/capabilities.ts';
import type { VmDefinition } from './definition.ts';
import { chooseAccel, type AccelChoice } from './accel-choice.ts';

export interface Launched {
  proc: QemuProcess;
  accel: ResolvedAccel;
  /** Why `auto` chose this accelerator (shown to the user when it is TCG). */
  accelReason: string | undefined;
}

export type Adopted =
  | { kind: 'alive'; proc: QemuProcess; accel: ResolvedAccel; running: boolean }
  | { kind: 'dead'; exit: Omit<VmExit, 'at'> & { at: string } };

/** Turns a stored definition into a running (paused, `-S`) qemu process, or finds one after a restart. */
export class VmLauncher {
  constructor(
    private readonly qemuBinary: string,
    private readonly runDir: string,
    private readonly images: ImageService,
    private readonly host: HostCapabilities,
  ) {}

  paths(id: string): ReturnType<typeof runtimePaths> {
    return runtimePaths(path.join(this.runDir, id));
  }

  /** Starts qemu paused; the caller attaches consoles and then sends `cont`. @throws HttpError, QemuStartError */
  async launch(id: string, def: VmDefinition): Promise<Launched> {
    const { accel, reason } = await this.resolveAccel(def);
    const spec: VmSpec = {
      name: def.name,
      memoryMiB: def.memoryMiB,
      vcpus: def.vcpus,
      accel,
      machine: def.machine,
      disks: await Promise.all(
        def.disks.map(async (d) => ({
          path: this.images.path(d.image),
          format: d.format ?? (await this.images.formatOf(d.image)),
          index: d.index,
        })),
      ),
      ...(def.cdrom === undefined ? {} : { cdrom: this.images.path(def.cdrom) }),
      boot: def.boot,
      network: def.network,
    };
    const paths = this.paths(id);
    const proc = await startQemu({
      binary: this.qemuBinary,
      argv: buildArgv(spec, paths, { startPaused: true }),
      paths,
    });
    return { proc, accel, accelReason: reason };
  }

  async adopt(id: string): Promise<Adopted> {
    const paths = this.paths(id);
    const proc = await adoptQemu(paths).catch(() => null);
    if (!proc) {
      const dead = await inspectDeadGuest(paths);
      return {
        kind: 'dead',
        exit: {
          kind: dead.kind,
          reason: dead.reason,
          at: new Date().toISOString(),
          ...(dead.kind === 'crashed' && dead.logTail ? { logTail: dead.logTail } : {}),
        },
      };
    }
    const [status, kvm] = await Promise.all([
      proc.qmp.execute('query-status'),
      proc.qmp.execute('query-kvm'),
    ]);
    // NOTE: a guest still in `prelaunch` was started with -S by a server that died before `cont`.
    if (status.status === 'prelaunch') await proc.qmp.execute('cont');
    const running = status.status === 'prelaunch' || status.running;
    return { kind: 'alive', proc, accel: kvm.enabled ? 'kvm' : 'tcg', running };
  }

  private async resolveAccel(def: VmDefinition): Promise<AccelChoice> {
    const needsProbe = def.accel === 'kvm' || (def.accel === 'auto' && this.host.defaultAccel !== 'tcg');
    return chooseAccel(def.accel, this.host.defaultAccel, needsProbe ? await this.host.kvm() : undefined);
  }
}
