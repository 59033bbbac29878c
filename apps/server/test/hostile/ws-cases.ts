import { SCOPES, WHO, type Fixture, type Targets, type Who } from './fixture.ts';
import { closePayload, frame, Op } from './raw-ws.ts';

/** The websockets of the README's table, the scope each needs, and the largest frame each takes. */
export const WS_KINDS = {
  events: { need: 'read', path: () => '/api/events', maxPayload: 1024 * 1024 },
  serial: {
    need: 'operate',
    path: (t: Targets) => `/api/vms/${t.runningId}/serial`,
    maxPayload: 1024 * 1024,
  },
  vnc: { need: 'read', path: (t: Targets) => `/api/vms/${t.runningId}/vnc`, maxPayload: 1024 * 1024 },
  monitor: {
    need: 'admin',
    path: (t: Targets) => `/api/vms/${t.runningId}/monitor`,
    maxPayload: 1024 * 1024,
  },
  qmp: { need: 'admin', path: (t: Targets) => `/api/vms/${t.runningId}/qmp`, maxPayload: 1024 * 1024 },
  serial1: {
    need: 'operate',
    path: (t: Targets) => `/api/vms/${t.runningId}/serial1`,
    maxPayload: 1024 * 1024,
  },
} as const;
type Kind = keyof typeof WS_KINDS;
const KINDS = Object.keys(WS_KINDS) as Kind[];
const CONSOLES = KINDS.filter((k) => k !== 'events');

export interface WsCase {
  name: string;
  path: (t: Targets) => string;
  headers: (fx: Fixture) => Record<string, string>;
  /** The upgrade's HTTP status (101: accepted). */
  status: number[];
  /** After the upgrade: bytes to send, then the close code the server must answer with. */
  frames?: () => Buffer[];
  close?: number[];
  /** Another viewer holds the (one-viewer) console while the case runs. */
  holdFirst?: boolean;
}

const scopeOk = (need: string, who: Who): boolean =>
  who === 'session' ||
  who === 'admin' ||
  (who === 'operate' && need !== 'admin') ||
  (who === 'read' && need === 'read');

/** Every websocket as every kind of caller, and cross-origin. */
export function wsAuthCases(): WsCase[] {
  const cases: WsCase[] = [];
  for (const kind of KINDS) {
    const spec = WS_KINDS[kind];
    for (const who of WHO) {
      const authed = who === 'session' || (SCOPES as readonly string[]).includes(who);
      const status = !authed ? [401] : scopeOk(spec.need, who) ? [101] : [403];
      cases.push({
        name: `ws ${kind} · ${who} → ${status.join('|')}`,
        path: spec.path,
        headers: (fx) => fx.auth(who),
        status,
      });
    }
    for (const [what, origin] of [
      ['from another site', () => 'http://evil.example'],
      ['with Origin: null', () => 'null'],
      ['from another port', (fx: Fixture) => `http://127.0.0.1:${fx.port + 1}`],
    ] as const) {
      cases.push({
        name: `ws ${kind} · cookie ${what} → 403`,
        path: spec.path,
        headers: (fx) => ({ ...fx.auth('session'), origin: origin(fx) }),
        status: [403],
      });
    }
  }
  for (const [what, path] of [
    ['an unknown path', () => '/api/nope'],
    ['a VM id that is no id', () => '/api/vms/ZZZZZZZZZZZZ/serial'],
    ['an unknown console', (t: Targets) => `/api/vms/${t.runningId}/bogus`],
  ] as const) {
    cases.push({
      name: `ws ${what} · cookie → 404`,
      path,
      headers: (fx) => fx.auth('session'),
      status: [404],
    });
  }
  // Upgrade paths are resolved like URLs (dot segments go): the scope must follow the socket reached.
  for (const [who, what, path] of [
    ['operate', 'serial/../monitor', (t: Targets) => `/api/vms/${t.runningId}/serial/../monitor`],
    ['operate', 'vnc/../qmp', (t: Targets) => `/api/vms/${t.runningId}/vnc/../qmp`],
    ['read', 'events/../vms/:id/serial', (t: Targets) => `/api/events/../vms/${t.runningId}/serial`],
    ['read', 'events/./../vms/:id/qmp', (t: Targets) => `/api/events/./../vms/${t.runningId}/qmp`],
    ['peer', 'vms/:id/../../events', (t: Targets) => `/api/vms/${t.runningId}/../../events`],
    ['operate', 'monitor?/serial', (t: Targets) => `/api/vms/${t.runningId}/monitor?/serial`],
  ] as const) {
    cases.push({
      name: `ws ${what} · ${who} → 403|404`,
      path,
      headers: (fx) => fx.auth(who),
      status: [403, 404],
    });
  }
  return cases;
}

const bytes = (n: number, fill = 0x20) => Buffer.alloc(n, fill);
const BAD_UTF8 = Buffer.from([0x68, 0x69, 0xff, 0xfe, 0xc3, 0x28]);

/** Frames past the limit (1009), invalid UTF-8 (1007), broken framing (1002); consoles of absent guests (44xx). */
export function wsFrameCases(): WsCase[] {
  const cases: WsCase[] = [];
  for (const kind of KINDS) {
    const spec = WS_KINDS[kind];
    const over = spec.maxPayload + 1;
    const frameCases: [string, () => Buffer[], number][] = [
      [
        'a binary frame of max+1 bytes',
        () => [frame({ opcode: Op.binary, length: over, payload: bytes(64 * 1024) })],
        1009,
      ],
      [
        'a text frame of max+1 bytes',
        () => [frame({ opcode: Op.text, length: over, payload: bytes(64 * 1024) })],
        1009,
      ],
      [
        'a frame claiming 2^63-1 bytes',
        () => [frame({ opcode: Op.binary, length: Number.MAX_SAFE_INTEGER, payload: bytes(16) })],
        1009,
      ],
      [
        'fragments adding up to max+1',
        () => {
          const part = Math.ceil(over / 3);
          return [
            frame({ opcode: Op.binary, fin: false, payload: bytes(part) }),
            frame({ opcode: Op.continuation, fin: false, payload: bytes(part) }),
            frame({ opcode: Op.continuation, payload: bytes(part) }),
          ];
        },
        1009,
      ],
      ['a text frame of invalid UTF-8', () => [frame({ opcode: Op.text, payload: BAD_UTF8 })], 1007],
      [
        'invalid UTF-8 split over fragments',
        () => [
          frame({ opcode: Op.text, fin: false, payload: Buffer.from([0x61, 0xe2, 0x82]) }),
          frame({ opcode: Op.continuation, payload: Buffer.from([0x28]) }),
        ],
        1007,
      ],
      [
        'a close frame with an invalid UTF-8 reason',
        () => [frame({ opcode: Op.close, payload: Buffer.concat([closePayload(1000), BAD_UTF8]) })],
        1007,
      ],
      ['an unmasked frame', () => [frame({ opcode: Op.binary, mask: false, payload: bytes(4) })], 1002],
      ['RSV1 without an extension', () => [frame({ opcode: Op.binary, rsv: 4, payload: bytes(4) })], 1002],
      ['reserved opcode 3', () => [frame({ opcode: 3, payload: bytes(4) })], 1002],
      ['reserved control opcode 0xB', () => [frame({ opcode: 0xb })], 1002],
      ['a 126-byte ping', () => [frame({ opcode: Op.ping, payload: bytes(126) })], 1002],
      ['a fragmented ping', () => [frame({ opcode: Op.ping, fin: false, payload: bytes(2) })], 1002],
      [
        'a continuation with nothing to continue',
        () => [frame({ opcode: Op.continuation, payload: bytes(4) })],
        1002,
      ],
      [
        'a new message inside a fragmented one',
        () => [
          frame({ opcode: Op.binary, fin: false, payload: bytes(4) }),
          frame({ opcode: Op.binary, payload: bytes(4) }),
        ],
        1002,
      ],
      ['close code 999', () => [frame({ opcode: Op.close, payload: closePayload(999) })], 1002],
      ['close code 1005 (reserved)', () => [frame({ opcode: Op.close, payload: closePayload(1005) })], 1002],
      ['a 1-byte close payload', () => [frame({ opcode: Op.close, payload: Buffer.from([3]) })], 1002],
    ];
    for (const [what, frames, code] of frameCases) {
      cases.push({
        name: `ws ${kind} · ${what} → close ${code}`,
        path: spec.path,
        headers: (fx) => fx.auth('session'),
        status: [101],
        frames,
        close: [code],
      });
    }
  }
  // The console refuses an absent guest right after the upgrade: a bad frame arriving then must not matter.
  const oversized = () => [frame({ opcode: Op.binary, length: 2 * 1024 * 1024, payload: bytes(16) })];
  const badText = () => [frame({ opcode: Op.text, payload: BAD_UTF8 })];
  for (const kind of CONSOLES) {
    for (const [what, path, code] of [
      ['an unknown VM', (t: Targets) => `/api/vms/${t.unknownId}/${kind}`, 4404],
      ['a stopped VM', (t: Targets) => `/api/vms/${t.stoppedId}/${kind}`, 4409],
    ] as const) {
      const headers = (fx: Fixture) => fx.auth('session');
      cases.push(
        {
          name: `ws ${kind} of ${what} → close ${code}`,
          path,
          headers,
          status: [101],
          frames: () => [],
          close: [code],
        },
        {
          name: `ws ${kind} of ${what}, an oversized frame at once → close ${code}|1009`,
          path,
          headers,
          status: [101],
          frames: oversized,
          close: [code, 1009],
        },
        {
          name: `ws ${kind} of ${what}, invalid UTF-8 at once → close ${code}|1007`,
          path,
          headers,
          status: [101],
          frames: badText,
          close: [code, 1007],
        },
      );
    }
  }
  // A serial port the running guest was not started with.
  cases.push({
    name: 'ws serial3 of a guest with two ports → close 4404',
    path: (t: Targets) => `/api/vms/${t.runningId}/serial3`,
    headers: (fx: Fixture) => fx.auth('session'),
    status: [101],
    frames: () => [],
    close: [4404],
  });
  for (const kind of ['monitor', 'qmp', 'serial1'] as const) {
    const path = (t: Targets) => `/api/vms/${t.runningId}/${kind}`;
    const headers = (fx: Fixture) => fx.auth('session');
    cases.push(
      {
        name: `ws ${kind}, a second viewer → close 4409`,
        path,
        headers,
        status: [101],
        frames: () => [],
        close: [4409],
        holdFirst: true,
      },
      {
        name: `ws ${kind}, a second viewer, invalid UTF-8 at once → close 4409|1007`,
        path,
        headers,
        status: [101],
        frames: badText,
        close: [4409, 1007],
        holdFirst: true,
      },
    );
  }
  return cases;
}
