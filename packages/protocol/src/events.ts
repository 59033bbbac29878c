import { z } from 'zod';
import { VmSchema } from './vms.ts';

/** Messages on the `/api/events` websocket (server -> browser). */
export const ServerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), at: z.string() }),
  z.object({ type: z.literal('vm.updated'), vm: VmSchema }),
  z.object({ type: z.literal('vm.deleted'), id: z.string() }),
  /** A guest-visible event from qemu that does not change the state (e.g. RESET). */
  z.object({ type: z.literal('vm.qmp-event'), id: z.string(), event: z.string(), at: z.string() }),
  z.object({ type: z.literal('images.changed') }),
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;
