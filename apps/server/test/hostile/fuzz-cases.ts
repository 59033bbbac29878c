import {
  AddDiskRequestSchema,
  BalloonRequestSchema,
  ChangeCdromRequestSchema,
  CloneVmRequestSchema,
  ConvertImageRequestSchema,
  CreateImageRequestSchema,
  CreateSnapshotRequestSchema,
  CreateVmRequestSchema,
  DeleteVmRequestSchema,
  ErrorCode,
  MigrateRequestSchema,
  ResizeImageRequestSchema,
  SaveStateRequestSchema,
  SendKeysRequestSchema,
  SignalRequestSchema,
  TypeTextRequestSchema,
  UpdateVmRequestSchema,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { showExpect, type HttpCase } from './check.ts';
import type { Targets } from './fixture.ts';

/** The seed of every generated mutation: a failing case names its seed and number, so it can be replayed. */
export const SEED = 0x5eed12;
const PER_BASE = 12;

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VM = {
  name: 'zz-fuzz',
  os: 'linux',
  memoryMiB: 256,
  vcpus: 2,
  topology: { sockets: 1, cores: 2, threads: 1 },
  cdrom: 'tinylinux.iso',
  boot: 'cdrom',
  accel: 'tcg',
  nics: [
    {
      mode: 'user',
      model: 'virtio',
      mac: '52:54:00:00:00:2a',
      linkUp: true,
      slot: 0,
      portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }],
    },
  ],
  machine: 'q35',
  firmware: 'bios',
  noKernelIrqchip: false,
  balloon: true,
  clock: 'utc',
  disks: [{ image: 'zz-fuzz.qcow2', bus: 'virtio', create: { format: 'qcow2', sizeBytes: '1M' } }],
};

/** A schema-valid body per route, mutated until the schema refuses it (so the server must refuse it too). */
interface FuzzBase {
  method: string;
  path: (t: Targets) => string;
  schema: z.ZodType;
  body: unknown;
}

const stopped = (tail: string) => (t: Targets) => `/api/vms/${t.stoppedId}${tail}`;
const BASES: FuzzBase[] = [
  {
    method: 'POST',
    path: () => '/api/images',
    schema: CreateImageRequestSchema,
    body: { name: 'zz-f.qcow2', format: 'qcow2', size: '1M' },
  },
  {
    method: 'POST',
    path: (t) => `/api/images/${t.disk}/resize`,
    schema: ResizeImageRequestSchema,
    body: { size: '32M', shrink: false },
  },
  {
    method: 'POST',
    path: (t) => `/api/images/${t.disk}/convert`,
    schema: ConvertImageRequestSchema,
    body: { target: 'zz-c.raw', format: 'raw' },
  },
  { method: 'POST', path: () => '/api/vms', schema: CreateVmRequestSchema, body: VM },
  { method: 'POST', path: () => '/api/vms/preview', schema: CreateVmRequestSchema, body: VM },
  {
    method: 'PUT',
    path: stopped(''),
    schema: UpdateVmRequestSchema,
    body: { ...VM, disks: [{ image: 'disk.qcow2', bus: 'virtio' }] },
  },
  {
    method: 'POST',
    path: stopped('/clone'),
    schema: CloneVmRequestSchema,
    body: { name: 'zz-clone', disks: [{ image: 'disk.qcow2', mode: 'copy', target: 'zz-clone.qcow2' }] },
  },
  {
    method: 'DELETE',
    path: (t) => `/api/vms/${t.runningId}`,
    schema: DeleteVmRequestSchema,
    body: { deleteImages: ['disk.qcow2'] },
  },
  { method: 'POST', path: stopped('/balloon'), schema: BalloonRequestSchema, body: { targetMiB: 128 } },
  { method: 'POST', path: stopped('/signal'), schema: SignalRequestSchema, body: { signal: 'SIGTERM' } },
  {
    method: 'POST',
    path: stopped('/send-keys'),
    schema: SendKeysRequestSchema,
    body: { keys: 'ctrl-alt-f2' },
  },
  { method: 'POST', path: stopped('/type'), schema: TypeTextRequestSchema, body: { text: 'hello\n' } },
  {
    method: 'POST',
    path: stopped('/disks'),
    schema: AddDiskRequestSchema,
    body: { image: 'disk.qcow2', bus: 'virtio' },
  },
  {
    method: 'PUT',
    path: stopped('/cdrom'),
    schema: ChangeCdromRequestSchema,
    body: { image: 'tinylinux.iso', force: false },
  },
  {
    method: 'POST',
    path: stopped('/snapshots'),
    schema: CreateSnapshotRequestSchema,
    body: { name: 'snap' },
  },
  {
    method: 'POST',
    path: stopped('/migrate/check'),
    schema: MigrateRequestSchema,
    body: {
      peer: 'ffffffffffff',
      copyStorage: true,
      keepDefinition: false,
      options: { bandwidthMiBs: 100, compress: 'zstd' },
    },
  },
  {
    method: 'POST',
    path: stopped('/save'),
    schema: SaveStateRequestSchema,
    body: { name: 'zz-state.vmstate.zst' },
  },
];

const ODD_VALUES: unknown[] = [
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 31,
  Number.MIN_VALUE,
  '',
  'x',
  '1G',
  '-1',
  '1e999',
  'NaN',
  true,
  false,
  null,
  [],
  {},
  [1],
  { a: 1 },
  '\u0000',
  'x'.repeat(10_000),
  ['disk.qcow2', 'disk.qcow2'],
];

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every path to a value inside a JSON document (the root excluded). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...at, i], ...paths(x, [...at, i])]);
  if (isObj(v)) return Object.entries(v).flatMap(([k, x]) => [[...at, k], ...paths(x, [...at, k])]);
  return [];
}

function mutate(body: Json, rand: () => number): { body: Json; what: string } {
  const copy = structuredClone(body);
  const all = paths(copy);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const at = pick(all);
  const parentPath = at.slice(0, -1);
  const key = at[at.length - 1] as string | number;
  const parent = parentPath.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], copy) as Record<
    string | number,
    Json
  >;
  const where = at.join('.');
  const op = Math.floor(rand() * 4);
  if (op === 0 && !Array.isArray(parent)) {
    Reflect.deleteProperty(parent, key);
    return { body: copy, what: `without ${where}` };
  }
  if (op === 1) {
    const target = isObj(parent) ? parent : isObj(copy) ? copy : parent;
    target[`zz${Math.floor(rand() * 1000)}`] = pick(ODD_VALUES);
    return { body: copy, what: `an unknown field near ${where}` };
  }
  if (op === 2) {
    parent[key] = [parent[key]];
    return { body: copy, what: `${where} wrapped in an array` };
  }
  const value = pick(ODD_VALUES);
  parent[key] = value;
  return { body: copy, what: `${where} = ${JSON.stringify(value).slice(0, 30)}` };
}

/** Seeded mutations of valid bodies (wrong types, missing and unknown fields, odd numbers): 400 with details. */
export function fuzzCases(): HttpCase[] {
  const rand = prng(SEED);
  const cases: HttpCase[] = [];
  for (const base of BASES) {
    if (!base.schema.safeParse(base.body).success)
      throw new Error(`fuzz base of ${base.method} is not valid`);
    const label = `${base.method} ${base.path({ stoppedId: ':id', runningId: ':id', disk: ':name' } as Targets)}`;
    for (let n = 0; n < PER_BASE; n++) {
      let m = mutate(base.body, rand);
      for (let tries = 0; base.schema.safeParse(m.body).success && tries < 50; tries++)
        m = mutate(base.body, rand);
      if (base.schema.safeParse(m.body).success) continue;
      const { body, what } = m;
      cases.push({
        name: `${label} · seed ${SEED.toString(16)} #${n}: ${what} → ${showExpect([400])}`,
        expect: [400],
        code: ErrorCode.validation,
        build: (fx) => ({
          method: base.method,
          path: base.path(fx.t),
          headers: { ...fx.auth('session'), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        verify: (res) => {
          const details = (res.json as { error?: { details?: unknown[] } } | undefined)?.error?.details;
          return res.status !== 400 || (Array.isArray(details) && details.length > 0)
            ? undefined
            : 'a 400 without details';
        },
      });
    }
  }
  return cases;
}
