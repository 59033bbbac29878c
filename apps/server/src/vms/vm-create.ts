import crypto from 'node:crypto';
import { ErrorCode, type CommandLine, type CreateVmRequestSchema, type Vm } from '@virtweb/protocol';
import type { z } from 'zod';
import { Conflict, DomainError, Invalid } from '../domain/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { NO_META, type VmRecord } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import { definitionFromCreate } from './definition-from-request.ts';
import { macsOf } from './nic-defaults.ts';
import { refOf } from '../engine/engines.ts';
import type { VmContext } from './vm-context.ts';
import { assertValid } from './vm-validation.ts';

type CreateRequest = z.output<typeof CreateVmRequestSchema>;

/** Slots of the disks a request creates, with their size (the definition gives slot i to request disk i). */
function creatingOf(req: CreateRequest): Map<number, { sizeBytes: number }> {
  return new Map(
    req.disks.flatMap((d, i) => (d.create === undefined ? [] : [[i, { sizeBytes: d.create.sizeBytes }]])),
  );
}

/**
 * The command line a create request would start, after every check a create makes; nothing is created.
 * @throws Invalid / Conflict as {@link createVm}
 */
export async function previewVm(ctx: VmContext, req: CreateRequest): Promise<CommandLine> {
  const def = definitionFromCreate(req, macsOf(ctx.repo.list()));
  await assertValid(ctx.checks, def, { creating: creatingOf(req), fromRequest: true });
  return engineFor(ctx, req).preview(def);
}

/**
 * Creates a VM: checks everything, then makes the new disks (`disks[i].create`), then stores the VM. When a
 * step fails, the images made so far are deleted again.
 * @throws Invalid (field issues), Conflict (name or new image name taken, image used by another VM)
 */
export async function createVm(ctx: VmContext, req: CreateRequest): Promise<Vm> {
  const def = definitionFromCreate(req, macsOf(ctx.repo.list()));
  const engine = engineFor(ctx, req);
  const creating = creatingOf(req);
  await assertValid(ctx.checks, def, { creating, fromRequest: true });
  def.disks = await Promise.all(
    def.disks.map(async (d) =>
      creating.has(d.index) ? d : { ...d, format: await ctx.images.formatOf(d.image) },
    ),
  );
  const made: string[] = [];
  try {
    for (const [i, d] of req.disks.entries()) {
      if (d.create === undefined) continue;
      await ctx.images
        .create({ name: d.image, format: d.create.format, size: d.create.sizeBytes })
        .catch((err: unknown) => {
          throw atPath(err, `disks.${i}.image`);
        });
      made.push(d.image);
    }
    const rec = insert(ctx, def, engine);
    ctx.publish(rec);
    ctx.bus.publish({ type: 'images.changed' });
    return ctx.toVm(rec);
  } catch (err) {
    for (const name of made.reverse()) await ctx.images.delete(name).catch(() => undefined);
    throw err;
  }
}

/** The engine a create request asks for: a libvirt connection's, else this server's own. @throws Invalid */
function engineFor(ctx: VmContext, req: CreateRequest): Engine {
  if (req.connection === undefined) return ctx.engines.default;
  const engine = ctx.engines.find({ id: 'libvirt', connection: req.connection });
  if (!engine) {
    const message = `no libvirt connection ${req.connection}: add it on the Connections page first`;
    throw new Invalid(message, [{ path: 'connection', message }]);
  }
  return engine;
}

/** Stores a new VM record. @throws Conflict when the name was taken meanwhile */
export function insert(ctx: VmContext, def: VmDefinition, engine = ctx.engines.default): VmRecord {
  const rec: VmRecord = {
    id: crypto.randomBytes(6).toString('hex'),
    engine: refOf(engine),
    definition: def,
    state: 'defined',
    lastExit: undefined,
    createdAt: new Date().toISOString(),
    meta: NO_META,
    startedAt: undefined,
  };
  try {
    ctx.repo.insert(rec);
  } catch (err) {
    // Two requests for one name at once: both passed the checks, the UNIQUE column lets one in.
    if (err instanceof Error && err.message.includes('UNIQUE')) {
      throw new Conflict(ErrorCode.exists, `a VM named ${def.name} already exists`, [
        { path: 'name', message: `a VM named ${def.name} already exists` },
      ]);
    }
    throw err;
  }
  return rec;
}

/** A domain error without field details gets `path` (so the UI shows it next to the field). */
export function atPath(err: unknown, path: string): unknown {
  if (!(err instanceof DomainError) || err.details !== undefined) return err;
  return err.rephrased(`${path}: ${err.message}`, [{ path, message: err.message }]);
}
