import { z } from 'zod';
import {
  AccelSchema,
  ClockSchema,
  DiskBusSchema,
  FirmwareSchema,
  MachineSchema,
  NicModelSchema,
  OsTypeSchema,
} from '@virtweb/protocol';
import { STEPS, type StepId } from './steps.ts';
import type { PresetField, WizardValues } from './wizardValues.ts';

/** Where the draft lives: this tab's session storage (a reload keeps it, closing the tab ends it). */
export const DRAFT_KEY = 'virtweb.new-vm-draft.v1';

const PortForwardDraftSchema = z.object({
  protocol: z.enum(['tcp', 'udp']),
  hostAddress: z.enum(['127.0.0.1', '0.0.0.0']),
  hostPort: z.string(),
  guestPort: z.string(),
});

const WizardValuesSchema = z.object({
  name: z.string(),
  media: z.enum(['iso', 'import', 'kernel']),
  iso: z.string(),
  importDisk: z.string(),
  kernel: z.string(),
  initrd: z.string(),
  cmdline: z.string(),
  os: OsTypeSchema,
  memoryMiB: z.string(),
  vcpus: z.string(),
  sockets: z.string(),
  cores: z.string(),
  threads: z.string(),
  balloon: z.boolean(),
  storage: z.enum(['new', 'existing', 'none']),
  diskName: z.string().nullable(),
  diskFormat: z.enum(['qcow2', 'raw']),
  diskSize: z.string(),
  existingDisk: z.string(),
  diskBus: DiskBusSchema,
  network: z.object({
    mode: z.enum(['none', 'user', 'bridge', 'tap', 'network']),
    model: NicModelSchema,
    bridge: z.string(),
    tap: z.string(),
    // Drafts kept before managed networks had none.
    network: z.string().default(''),
    portForwards: z.array(PortForwardDraftSchema).max(64),
  }),
  firmware: FirmwareSchema,
  machine: MachineSchema,
  accel: AccelSchema,
  noKernelIrqchip: z.boolean(),
  clock: ClockSchema,
  // Drafts kept before libvirt connections: this server.
  connection: z.string().default(''),
}) satisfies z.ZodType<WizardValues>;

const PRESET_FIELDS = [
  'memoryMiB',
  'vcpus',
  'balloon',
  'diskSize',
  'diskBus',
  'nicModel',
  'clock',
  'machine',
  'firmware',
] as const satisfies readonly PresetField[];

const DraftSchema = z.object({
  values: WizardValuesSchema,
  touched: z.array(z.enum(PRESET_FIELDS)),
  step: z.enum(STEPS.map((s) => s.id) as [StepId, ...StepId[]]),
  reached: z
    .number()
    .int()
    .min(0)
    .max(STEPS.length - 1),
});

/** What the wizard keeps across a reload: the form, the fields the user chose over the preset, the step. */
export type WizardDraft = z.infer<typeof DraftSchema>;

/** The draft saved in this tab, or null (none, unreadable, or written by another version of the app). */
export function loadDraft(storage: Pick<Storage, 'getItem'>): WizardDraft | null {
  try {
    const text = storage.getItem(DRAFT_KEY);
    if (text === null) return null;
    const parsed = DraftSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    // Storage refused (privacy settings) or not JSON: start afresh.
    return null;
  }
}

export function saveDraft(storage: Pick<Storage, 'setItem'>, draft: WizardDraft): void {
  try {
    storage.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // Storage full or refused: the wizard works on, only a reload forgets.
  }
}

export function clearDraft(storage: Pick<Storage, 'removeItem'>): void {
  try {
    storage.removeItem(DRAFT_KEY);
  } catch {
    // nothing kept, nothing to clear
  }
}
