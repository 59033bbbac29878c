// What a job leaves in the VM's run directory while it owns the VM, so that a server restarted mid-way knows
// what the `migrating` VM was doing (jobs themselves live in memory).
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { VmStateSchema } from '@virtweb/protocol';

export const MarkerSchema = z.discriminatedUnion('role', [
  /** This host sends the VM to a peer. */
  z.object({
    role: z.literal('source'),
    kind: z.enum(['live', 'offline']),
    peerId: z.string(),
    peerName: z.string(),
    keepDefinition: z.boolean(),
    previousState: VmStateSchema,
    incomingId: z.string().optional(),
    targetVmId: z.string().optional(),
    /** The disks copied to the peer (copy storage): marked as old copies here once the move stands. */
    copiedDisks: z.array(z.string()).optional(),
  }),
  /** This host receives the VM; `createdImages` are removed when it does not arrive. */
  z.object({
    role: z.literal('target'),
    kind: z.enum(['live', 'offline']),
    incomingId: z.string(),
    createdImages: z.array(z.string()),
  }),
  /** A save into a state file, or a restore from one. */
  z.object({ role: z.enum(['save', 'restore']), previousState: VmStateSchema }),
]);
export type Marker = z.infer<typeof MarkerSchema>;

const FILE = 'migration.json';

export async function writeMarker(runDir: string, marker: Marker): Promise<void> {
  await fs.mkdir(runDir, { recursive: true, mode: 0o700 });
  const file = path.join(runDir, FILE);
  await fs.writeFile(`${file}.tmp`, JSON.stringify(marker), { mode: 0o600 });
  await fs.rename(`${file}.tmp`, file);
}

export async function readMarker(runDir: string): Promise<Marker | undefined> {
  try {
    const parsed = MarkerSchema.safeParse(JSON.parse(await fs.readFile(path.join(runDir, FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function removeMarker(runDir: string): Promise<void> {
  await fs.rm(path.join(runDir, FILE), { force: true });
}
