import {
  ErrorCode,
  MAX_NICS,
  OS_PRESETS,
  type Nic,
  type NicPatchRequestSchema,
  type NicRequestSchema,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { UnplugTimeoutError } from '../engine/errors.ts';
import { Conflict, DomainError, NotFound } from '../domain/errors.ts';
import type { VmDefinition } from './definition.ts';
import { macsOf, nicsWithDefaults } from './nic-defaults.ts';
import { qemuRefused } from './storage/qemu-refused.ts';
import { storageMode, type StorageHost } from './storage/storage-host.ts';
import { assertValid, type ValidationHost } from './vm-validation.ts';

type NicRequest = z.output<typeof NicRequestSchema>;
type NicPatch = z.output<typeof NicPatchRequestSchema>;

/** What the NIC operations need of the VM service. */
export interface NicsHost extends StorageHost {
  readonly checks: ValidationHost;
}

const bySlot = (nics: readonly Nic[]): Nic[] => [...nics].sort((a, b) => a.slot - b.slot);

/**
 * NICs of the VMs: on a running guest through the engine (hot-plug, unplug, the link), on a stopped one in the
 * definition only; either way the definition follows, so a restart keeps the change. Every change holds the
 * VM's lock (`states.run`, operation `nics`). What the running qemu has (`launched`) follows a live change,
 * so `pendingChanges` lists only what waits for the next start.
 */
export class VmNics {
  constructor(private readonly host: NicsHost) {}

  /**
   * Adds a NIC in `req.slot` or the lowest free slot, with `req`'s MAC or a new one: hot-plugged on a
   * running or paused guest. Rollback: a failed hot-plug leaves no backend, device or tap (GuestNicOps.plug);
   * the definition changes only after qemu has the NIC.
   * @throws Invalid (field issues at the NIC's own paths), NotFound, Conflict (MAC of another guest, no free
   *   slot, slot taken, wrong state, busy, qemu refused: its own words)
   */
  add(id: string, req: NicRequest): Promise<Nic> {
    return this.host.states.run(id, 'nics', 'adding a NIC', async (rec) => {
      const mode = storageMode(this.host, rec);
      const def = this.host.definition(id);
      const used = new Set(def.nics.map((n) => n.slot));
      const slot = req.slot ?? [...Array(MAX_NICS).keys()].find((s) => !used.has(s));
      if (slot === undefined) throw new Conflict(ErrorCode.conflict, `all ${MAX_NICS} NIC slots are in use`);
      if (used.has(slot)) {
        throw new Conflict(ErrorCode.conflict, `NIC slot ${slot} is taken`, [
          { path: 'slot', message: `slot ${slot} has a NIC already` },
        ]);
      }
      const [nic] = nicsWithDefaults(
        [{ ...req, slot }],
        OS_PRESETS[def.os].nicModel,
        macsOf(this.host.repo.list()),
      );
      if (nic === undefined) throw new Error('unreachable: one NIC asked for, none made');
      const next: VmDefinition = { ...def, nics: bySlot([...def.nics, nic]) };
      await assertValid(this.host.checks, next, { vmId: id }).catch((err: unknown) => {
        throw ownPaths(err, next.nics.indexOf(nic));
      });
      if (mode.live) {
        const { engine, guest, launched } = mode.rt;
        await engine.nics.plug(id, guest, def.machine, nic).catch((err: unknown) => {
          throw qemuRefused(err, `cannot hot-plug the NIC in slot ${slot}`);
        });
        launched.nics = bySlot([...launched.nics, nic]);
      }
      this.host.updateDefinition(id, (d) => ({ ...d, nics: bySlot([...d.nics, nic]) }));
      return nic;
    });
  }

  /**
   * Removes NIC `slot`. A running guest must acknowledge the unplug (a paused one cannot). Rollback: none
   * needed, the definition drops the NIC only once qemu has let it go.
   * @throws NotFound (no such VM or NIC), Conflict (paused, wrong state, busy, the guest did not let go)
   */
  async remove(id: string, slot: number): Promise<void> {
    await this.host.states.run(id, 'nics', `removing NIC ${slot}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      this.nic(id, slot);
      if (mode.live) {
        if (rec.state === 'paused') {
          throw new Conflict(
            ErrorCode.wrongState,
            'the VM is paused: resume it first, a paused guest cannot acknowledge the unplug',
          );
        }
        const { engine, guest, launched } = mode.rt;
        await engine.nics.unplug(id, guest, slot).catch((err: unknown) => {
          if (err instanceof UnplugTimeoutError) throw new Conflict(ErrorCode.qemuFailed, err.message);
          throw qemuRefused(err, `cannot unplug the NIC in slot ${slot}`);
        });
        launched.nics = launched.nics.filter((n) => n.slot !== slot);
      }
      this.host.updateDefinition(id, (d) => ({ ...d, nics: d.nics.filter((n) => n.slot !== slot) }));
    });
  }

  /**
   * Changes NIC `slot`: the link at once on a running guest (and kept for the next start); a model or MAC
   * change of a running guest waits for the next start (`pendingChanges` says `nics`).
   * @throws Invalid, NotFound, Conflict (MAC of another guest, wrong state, busy, qemu refused)
   */
  patch(id: string, slot: number, patch: NicPatch): Promise<Nic> {
    return this.host.states.run(id, 'nics', `changing NIC ${slot}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const def = this.host.definition(id);
      const nic: Nic = { ...this.nic(id, slot), ...patch };
      const next: VmDefinition = { ...def, nics: def.nics.map((n) => (n.slot === slot ? nic : n)) };
      await assertValid(this.host.checks, next, { vmId: id }).catch((err: unknown) => {
        throw ownPaths(err, next.nics.indexOf(nic));
      });
      if (mode.live && patch.linkUp !== undefined) {
        const { engine, guest, launched } = mode.rt;
        await engine.nics.setLink(guest, slot, patch.linkUp).catch((err: unknown) => {
          throw qemuRefused(err, `cannot change the link of the NIC in slot ${slot}`);
        });
        const up = patch.linkUp;
        launched.nics = launched.nics.map((n) => (n.slot === slot ? { ...n, linkUp: up } : n));
      }
      this.host.updateDefinition(id, (d) => ({ ...d, nics: d.nics.map((n) => (n.slot === slot ? nic : n)) }));
      return nic;
    });
  }

  private nic(id: string, slot: number): Nic {
    const nic = this.host.definition(id).nics.find((n) => n.slot === slot);
    if (!nic) throw new NotFound(`NIC ${slot} of VM ${this.host.get(id).name}`);
    return nic;
  }
}

/** Issues of the whole definition at `nics.<index>.x` as the request's own fields (`x`). */
function ownPaths(err: unknown, index: number): unknown {
  if (!(err instanceof DomainError) || err.details === undefined) return err;
  const prefix = `nics.${index}.`;
  const details = err.details.map((d) =>
    d.path.startsWith(prefix) ? { ...d, path: d.path.slice(prefix.length) } : d,
  );
  return err.rephrased(err.message, details);
}
