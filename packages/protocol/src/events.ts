import { z } from 'zod';
import { MetricsTickSchema } from './metrics.ts';
import { ImageProgressSchema } from './images.ts';
import { StorageJobSchema } from './storage.ts';
import { GuestAgentInfoSchema } from './guest-agent.ts';
import { VmSchema } from './vms.ts';
import { PeerSchema } from './peers.ts';
import { MigrationJobSchema } from './migration.ts';
import { TaskSchema } from './tasks.ts';

/** Messages on the `/api/events` websocket (server -> browser). */
export const ServerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), at: z.string() }),
  z.object({ type: z.literal('vm.updated'), vm: VmSchema }),
  z.object({ type: z.literal('vm.deleted'), id: z.string() }),
  /** A guest-visible event from qemu that does not change the state (e.g. RESET). */
  z.object({ type: z.literal('vm.qmp-event'), id: z.string(), event: z.string(), at: z.string() }),
  /** What a running guest's agent says changed (connected or not, OS, addresses, file systems). */
  z.object({ type: z.literal('vm.agent'), id: z.string(), agent: GuestAgentInfoSchema }),
  /** A device behind a running guest failed (e.g. its TPM emulator exited); the guest's `faults` says it too. */
  z.object({ type: z.literal('vm.fault'), id: z.string(), message: z.string(), at: z.string() }),
  z.object({ type: z.literal('images.changed') }),
  /** An upload, convert or resize advancing (at most ~5 a second per operation, and once at the end). */
  ImageProgressSchema.extend({ type: z.literal('image.progress') }),
  MetricsTickSchema,
  /** A snapshot job of VM `id` advancing or ending (its snapshot list changes when it succeeds). */
  z.object({ type: z.literal('vm.storage-job'), id: z.string(), job: StorageJobSchema }),
  /** A peer was added or removed, or its health or capacity changed. */
  z.object({ type: z.literal('peers.changed'), peers: z.array(PeerSchema) }),
  /** A migration, save or restore advancing (about twice a second) or ending. */
  z.object({ type: z.literal('migration.updated'), job: MigrationJobSchema }),
  /** A managed network was created, deleted, started, stopped or had its port forwards changed. */
  z.object({ type: z.literal('networks.changed'), name: z.string() }),
  /** A task began, advanced or ended (the task log). */
  z.object({ type: z.literal('task.updated'), task: TaskSchema }),
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;
