// Hostile values in the fields of a VM's storage, saved states, ids in paths and free text.
import {
  CreateTokenRequestSchema,
  ImageNameSchema,
  InterfaceNameSchema,
  NetworkNameSchema,
  ServerNameSchema,
  SnapshotDescriptionSchema,
  SnapshotNameSchema,
  TypeTextRequestSchema,
  UsernameSchema,
  VmLabelsSchema,
  VmTagSchema,
} from '@virtweb/protocol';
import { HOSTILE_IDS, HOSTILE_NAMES, HOSTILE_NAMES_SHORT, HOSTILE_TEXT, HOSTILE_URLS } from './names.ts';
import { anything, call, nonEmpty, seg, type NameSite } from './name-sites.ts';
import { labelsProblem, tokenNameProblem } from './verify-accepted.ts';

const names = HOSTILE_NAMES;
const short = HOSTILE_NAMES_SHORT;
const ids = HOSTILE_IDS;

export const FIELD_SITES: NameSite[] = [
  // Storage of a VM.
  {
    label: 'POST /api/vms/:id/disks {image}',
    values: short,
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/disks`, { image: v }),
  },
  {
    label: 'POST /api/vms/:id/disks {image, bus: ide, create} (q35 has no IDE: refused before creating)',
    values: short,
    request: (t, v) =>
      call('POST', `/api/vms/${t.stoppedId}/disks`, { image: v, bus: 'ide', create: { sizeBytes: 1 << 20 } }),
  },
  {
    label: 'PATCH /api/vms/:id/disks/:index {cache}',
    values: HOSTILE_TEXT,
    request: (t, v) => call('PATCH', `/api/vms/${t.stoppedId}/disks/0`, { cache: v }),
  },
  {
    label: 'PATCH /api/vms/:id/disks/:index',
    values: short,
    request: (t, v) => call('PATCH', `/api/vms/${t.stoppedId}/disks/${seg(v)}`, { readOnly: true }),
  },
  {
    label: 'PUT /api/vms/:id/cdrom {image}',
    values: short,
    request: (t, v) => call('PUT', `/api/vms/${t.stoppedId}/cdrom`, { image: v }),
  },
  {
    label: 'POST /api/vms/:id/snapshots {name}',
    values: names,
    schema: SnapshotNameSchema,
    accepted: 'skip',
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/snapshots`, { name: v }),
  },
  {
    label: 'PUT /api/vms/:id/snapshots/:name {description}',
    values: HOSTILE_TEXT,
    schema: SnapshotDescriptionSchema,
    // The stopped guest has no snapshot `nosuch`: a description the schema takes reaches the lookup.
    accepted: { expect: [404] },
    refused: [400],
    request: (t, v) => call('PUT', `/api/vms/${t.stoppedId}/snapshots/nosuch`, { description: v }),
  },
  {
    label: 'POST /api/vms/:id/snapshots/:name/revert',
    values: short,
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/snapshots/${seg(v)}/revert`),
  },
  {
    label: 'DELETE /api/vms/:id/snapshots/:name',
    values: short,
    request: (t, v) => call('DELETE', `/api/vms/${t.stoppedId}/snapshots/${seg(v)}`),
  },

  // Saved states and migrations.
  {
    label: 'POST /api/vms/:id/save {name}',
    values: names,
    schema: ImageNameSchema,
    accepted: anything,
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/save`, { name: v }),
  },
  {
    label: 'POST /api/saved-states/:name/restore',
    values: names,
    request: (_t, v) => call('POST', `/api/saved-states/${seg(v)}/restore`),
  },
  {
    label: 'DELETE /api/saved-states/:name',
    values: short,
    request: (_t, v) => call('DELETE', `/api/saved-states/${seg(v)}`),
  },
  {
    label: 'POST /api/vms/:id/migrate/check {peer}',
    values: ids,
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/migrate/check`, { peer: v }),
  },

  // Ids in paths: a fixed pattern, so 404.
  {
    label: 'GET /api/vms/:id',
    values: nonEmpty(ids),
    request: (_t, v) => call('GET', `/api/vms/${seg(v)}`),
  },
  {
    label: 'POST /api/vms/:id/start',
    values: ids,
    request: (_t, v) => call('POST', `/api/vms/${seg(v)}/start`),
  },
  {
    label: 'POST /api/vms/:id/:action',
    values: ids,
    request: (t, v) => call('POST', `/api/vms/${t.runningId}/${seg(v)}`),
  },
  {
    label: 'DELETE /api/vms/:id/disks/:index',
    values: [...ids, '-1', '8', '1e0', '0x0', '00000'],
    request: (t, v) => call('DELETE', `/api/vms/${t.stoppedId}/disks/${seg(v)}`),
  },
  {
    label: 'DELETE /api/tokens/:id',
    values: ids,
    request: (_t, v) => call('DELETE', `/api/tokens/${seg(v)}`),
  },
  {
    label: 'PUT /api/users/:name',
    values: [...names, ...ids],
    request: (_t, v) => call('PUT', `/api/users/${seg(v)}`, { role: 'read' }),
  },
  {
    label: 'DELETE /api/networks/:name',
    values: nonEmpty([...names, ...ids]),
    request: (_t, v) => call('DELETE', `/api/networks/${seg(v)}`),
  },
  {
    label: 'PUT /api/networks/:name/port-forwards',
    values: [...short, ...ids],
    request: (_t, v) => call('PUT', `/api/networks/${seg(v)}/port-forwards`, { portForwards: [] }),
  },
  {
    // A subnet no schema takes: a name the schema accepts is refused for the subnet, nothing is made.
    label: 'POST /api/networks {name}',
    values: names,
    schema: NetworkNameSchema,
    accepted: { expect: [400] },
    request: (_t, v) => call('POST', '/api/networks', { name: v, kind: 'isolated', subnet: '10.0.0.0/33' }),
  },
  {
    label: 'POST /api/networks {bridge}',
    values: names,
    schema: InterfaceNameSchema,
    accepted: { expect: [400] },
    request: (_t, v) =>
      call('POST', '/api/networks', { name: 'hostile', kind: 'isolated', bridge: v, subnet: '10.0.0.1/24x' }),
  },
  {
    label: 'DELETE /api/sessions/:id',
    values: ids,
    request: (_t, v) => call('DELETE', `/api/sessions/${seg(v)}`),
  },
  {
    label: 'POST /api/migrations/:jobId/cancel',
    values: ids,
    request: (_t, v) => call('POST', `/api/migrations/${seg(v)}/cancel`),
  },
  {
    label: 'GET /api/migrations/incoming/:id',
    values: ids,
    request: (_t, v) => call('GET', `/api/migrations/incoming/${seg(v)}`),
  },
  {
    label: 'POST /api/peers/:id/vms/:vmId/:action (vmId)',
    values: ids,
    request: (_t, v) => call('POST', `/api/peers/ffffffffffff/vms/${seg(v)}/start`),
  },

  // Free text and other fields that reach qemu or HTTP headers.
  {
    label: 'POST /api/vms/:id/send-keys {keys}',
    values: ids,
    refused: [400],
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/send-keys`, { keys: v }),
  },
  {
    label: 'POST /api/vms/:id/type {text}',
    values: HOSTILE_TEXT,
    schema: TypeTextRequestSchema.shape.text,
    accepted: { expect: [409] },
    refused: [400],
    request: (t, v) => call('POST', `/api/vms/${t.stoppedId}/type`, { text: v }),
  },
  {
    label: 'PUT /api/vms/:id/labels {tags}',
    values: names,
    schema: VmTagSchema,
    refused: [400],
    accepted: {
      expect: [200],
      unchanged: true,
      verify: (res, v) => labelsProblem(res, 'tags', [v]),
    },
    request: (t, v) => call('PUT', `/api/vms/${t.stoppedId}/labels`, { tags: [v] }),
  },
  {
    label: 'PUT /api/vms/:id/labels {notes}',
    values: HOSTILE_TEXT,
    schema: VmLabelsSchema.shape.notes,
    refused: [400],
    accepted: {
      expect: [200],
      unchanged: true,
      verify: (res, v) => labelsProblem(res, 'notes', v),
    },
    request: (t, v) => call('PUT', `/api/vms/${t.stoppedId}/labels`, { notes: v }),
  },
  {
    label: 'POST /api/tokens {name}',
    values: HOSTILE_TEXT,
    schema: CreateTokenRequestSchema.shape.name,
    refused: [400],
    accepted: {
      expect: [201],
      unchanged: true,
      verify: (res, v) => tokenNameProblem(res, v),
      cleanup: async (res, fx) => {
        const id = (res.json as { id?: string } | undefined)?.id;
        if (id) await fx.json('DELETE', `/api/tokens/${id}`);
      },
    },
    request: (t, v) => call('POST', '/api/tokens', { name: v, ...(t.scopedTokens ? { scope: 'read' } : {}) }),
  },
  {
    label: 'POST /api/users {name}',
    values: [...names, ...HOSTILE_TEXT],
    schema: UsernameSchema,
    accepted: 'skip',
    refused: [400],
    request: (_t, v) => call('POST', '/api/users', { name: v, password: 'long enough', role: 'read' }),
  },
  {
    label: 'POST /api/users {role}',
    values: ['', 'root', 'ADMIN', 'peer', 'read,admin', 'admin\u0000', '__proto__', 'operate '],
    refused: [400],
    request: (_t, v) => call('POST', '/api/users', { name: 'zz-role', password: 'long enough', role: v }),
  },
  {
    label: 'POST /api/tokens {scope}',
    values: ['', 'root', 'ADMIN', 'session', 'read,admin', 'admin\u0000', '__proto__', 'operate ', ' peer'],
    refused: [400],
    request: (_t, v) => call('POST', '/api/tokens', { name: 'zz-scope', scope: v }),
  },
  {
    label: 'POST /api/peers {url}',
    values: HOSTILE_URLS,
    refused: [400],
    request: (_t, v) => call('POST', '/api/peers', { url: v, token: 'vwt_x' }),
  },
  {
    label: 'POST /api/peers/certificate {url}',
    // https: an http:// URL has no certificate and is answered without a call. The link-local address is left
    // out: a host may really have a TLS server there (cloud metadata), and reading its certificate is harmless.
    values: HOSTILE_URLS.filter((u) => !u.includes('169.254.169.254')).map((u) =>
      u.replace(/^http:/, 'https:'),
    ),
    refused: [400],
    request: (_t, v) => call('POST', '/api/peers/certificate', { url: v }),
  },
  {
    label: 'POST /api/peers {fingerprint}',
    values: ['', 'AB', 'ab:'.repeat(32), 'AB:'.repeat(31) + 'AG', 'AB:'.repeat(31) + 'ABC', 'AB:'.repeat(33)],
    refused: [400],
    request: (t, v) =>
      call('POST', '/api/peers', {
        url: t.origin.replace(/^http:/, 'https:'),
        token: 'vwt_x',
        fingerprint: v,
      }),
  },
  {
    label: 'POST /api/peers {token}',
    values: [...ids, 'vwt_x\r\nX-Injected: 1', 'vwt_x\u0000'],
    refused: [400],
    request: (t, v) => call('POST', '/api/peers', { url: t.origin, token: v }),
  },
  {
    label: 'GET /api/vms/:id/log?lines=',
    values: [...ids, '0', '5001', '1.5', '-1', '1;2'],
    refused: [400],
    request: (t, v) => call('GET', `/api/vms/${t.stoppedId}/log?lines=${seg(v)}`),
  },
  {
    label: 'GET /api/vms/:id/log?…',
    values: [
      'lines=1&lines=2',
      'lines[$gt]=1',
      '__proto__=x',
      'lines=1&x=1',
      'constructor[prototype][x]=1',
      'lines=1%',
    ],
    refused: [400],
    request: (t, v) => call('GET', `/api/vms/${t.stoppedId}/log?${v}`),
  },
  {
    label: 'GET /api/vms/:id/metrics?range=',
    values: ids,
    refused: [400],
    request: (t, v) => call('GET', `/api/vms/${t.stoppedId}/metrics?range=${seg(v)}`),
  },
  {
    label: 'PUT /api/host/name {name}',
    values: names,
    schema: ServerNameSchema,
    accepted: 'skip',
    refused: [400],
    request: (_t, v) => call('PUT', '/api/host/name', { name: v }),
  },
  {
    label: 'GET /api/host/metrics?range=',
    values: [...ids, '24h', '7d'],
    refused: [400],
    request: (_t, v) => call('GET', `/api/host/metrics?range=${seg(v)}`),
  },
];
