import { z } from 'zod';

/** A plain-language reading of a line in qemu.log (KVM not usable, image locked, missing firmware...). */
export const LogHintSchema = z.object({ match: z.string(), hint: z.string() });
export type LogHint = z.infer<typeof LogHintSchema>;

/** The qemu process of a guest, as `ps`, `top -H` and `ls /proc/<pid>/fd` would show it. */
export const VmProcessSchema = z.object({
  pid: z.number().int(),
  /** Kernel process state letter and its meaning, e.g. "S (sleeping)". */
  state: z.string(),
  startedAt: z.string(),
  cmdline: z.array(z.string()),
  threads: z.array(z.object({ tid: z.number().int(), name: z.string(), vcpu: z.number().int().nullable() })),
  sockets: z.array(z.object({ name: z.string(), path: z.string(), present: z.boolean() })),
  openFiles: z.number().int(),
});
export type VmProcess = z.infer<typeof VmProcessSchema>;

export const VmLogSchema = z.object({ text: z.string(), hints: z.array(LogHintSchema) });
export type VmLog = z.infer<typeof VmLogSchema>;

/** What the "send signal" action may send: the usual tools work on a guest, and so does this. */
export const SignalRequestSchema = z.strictObject({ signal: z.enum(['SIGTERM', 'SIGKILL']) });
export type SignalRequest = z.infer<typeof SignalRequestSchema>;
