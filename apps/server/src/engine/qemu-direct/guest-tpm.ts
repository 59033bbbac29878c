// The guests' TPM emulators as the launcher uses them: each guest's swtpm on its state in the data dir.
import fs from 'node:fs/promises';
import path from 'node:path';
import { prepareRunDir, type QemuIdentity } from '@virtweb/qemu';
import type { QemuAccess } from '../../host/qemu-access.ts';
import type { TpmStateStore } from '../../vms/tpm-state.ts';
import { swtpmProblem } from '../../host/swtpm-tools.ts';
import { SwtpmProcess, swtpmPaths, type SwtpmPaths } from './swtpm.ts';

export class GuestTpms {
  constructor(
    private readonly states: TpmStateStore,
    private readonly access: QemuAccess,
    /** A guest's run dir (its swtpm's socket, pidfile and log go there). */
    private readonly runDir: (id: string) => string,
  ) {}

  paths(id: string): SwtpmPaths {
    return swtpmPaths(this.runDir(id), this.states.path(id));
  }

  /**
   * The guest's swtpm, started before qemu as qemu's user on the guest's state, which is manufactured first
   * when it has none.
   * NOTE (live migration and saved states, swtpm 0.7): qemu's tpm-emulator backend carries the TPM's state in
   * the migration stream (it reads swtpm's state blobs on the source and sets them on the destination through
   * the control channel), so the destination (or a restore) needs only a running swtpm with a state dir of its
   * own before qemu's `-incoming`; no swtpm_setup there, the arriving state replaces whatever is there. swtpm
   * 0.7 has no `--migration` option: its `incoming`/`release-lock-outgoing` (0.8) are for a state dir shared by
   * both hosts, which virtweb never does (each host has its own data dir).
   * @throws Conflict (swtpm missing, swtpm_setup or swtpm failing: their words), Conflict `qemu_user`
   */
  async start(id: string, runAs: QemuIdentity | undefined, incoming: boolean): Promise<SwtpmProcess> {
    const fresh = !incoming && !(await this.states.exists(id));
    const stateDir = await this.states.ensureDir(id);
    // A state the server wrote (a clone's, a migration's) and the dir itself become qemu's user's: swtpm
    // writes there.
    const files = await fs.readdir(stateDir);
    await this.access.handOver([stateDir, ...files.map((f) => path.join(stateDir, f))]);
    await this.access.grant({ reach: [stateDir] });
    await prepareRunDir(this.runDir(id), runAs);
    return SwtpmProcess.start(this.paths(id), runAs, fresh);
  }

  /** The swtpm of a guest found running after a server restart, if it still runs. */
  adopt(id: string): Promise<SwtpmProcess | undefined> {
    return SwtpmProcess.adopt(this.paths(id));
  }

  /** Ends the guest's swtpm if it outlived its qemu. Never rejects. */
  reap(id: string): Promise<void> {
    return SwtpmProcess.reap(this.paths(id));
  }

  /** How the guest's TPM comes about, or why it cannot (a note of the command line). */
  async note(id: string): Promise<string> {
    const problem = await swtpmProblem();
    if (problem !== undefined) return `starting will fail: ${problem}`;
    const made = await this.states.exists(id);
    return (
      `the TPM 2.0 is a swtpm the server starts before qemu (as qemu's user), its state in ${this.states.path(id)}` +
      (made ? '' : ' (manufactured by swtpm_setup at the first start)')
    );
  }
}
