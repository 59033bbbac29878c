import { describe, expect, it } from 'vitest';
import { QmpProtocolError } from './errors.ts';
import { encodeCommand, LineDecoder, parseMessage } from './message.ts';

describe('LineDecoder', () => {
  // Two-byte "é", four-byte emoji and "\r\n" pairs: every split point must give the same lines.
  const lines = ['{"return": "caf\u00e9"}', '{"event": "X", "data": {"s": "\u{1F600}"}}', '{"return": {}}'];
  const wire = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');

  it('yields whole lines for one chunk with several messages', () => {
    expect(new LineDecoder().push(wire)).toEqual(lines);
  });

  it('yields the same lines for every pair of split points (partial lines, split UTF-8, split \\r\\n)', () => {
    for (let i = 0; i <= wire.length; i++) {
      for (let j = i; j <= wire.length; j++) {
        const decoder = new LineDecoder();
        const out = [
          ...decoder.push(wire.subarray(0, i)),
          ...decoder.push(wire.subarray(i, j)),
          ...decoder.push(wire.subarray(j)),
        ];
        expect(out, `split at ${i},${j}`).toEqual(lines);
      }
    }
  });

  it('yields nothing until the newline arrives, and skips blank lines', () => {
    const decoder = new LineDecoder();
    expect(decoder.push(Buffer.from('{"return"'))).toEqual([]);
    expect(decoder.push(Buffer.from(': 1}'))).toEqual([]);
    expect(decoder.push(Buffer.from('\n\r\n\n{"return": 2}\n'))).toEqual(['{"return": 1}', '{"return": 2}']);
  });

  it('rejects an unterminated line past the limit', () => {
    const decoder = new LineDecoder(8);
    expect(decoder.push(Buffer.from('12345'))).toEqual([]);
    expect(() => decoder.push(Buffer.from('6789'))).toThrow(QmpProtocolError);
  });
});

describe('parseMessage', () => {
  it('classifies a greeting', () => {
    const line =
      '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "d"}, "capabilities": ["oob"]}}';
    expect(parseMessage(line)).toEqual({
      kind: 'greeting',
      greeting: {
        QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'd' }, capabilities: ['oob'] },
      },
    });
  });

  it('classifies replies and keeps whatever id qemu echoed', () => {
    expect(parseMessage('{"return": {"running": true}, "id": 3}')).toEqual({
      kind: 'return',
      id: 3,
      value: { running: true },
    });
    expect(parseMessage('{"return": "text"}')).toEqual({ kind: 'return', id: undefined, value: 'text' });
    expect(parseMessage('{"id": "x", "error": {"class": "DeviceNotFound", "desc": "gone"}}')).toEqual({
      kind: 'error',
      id: 'x',
      errorClass: 'DeviceNotFound',
      desc: 'gone',
    });
  });

  it('gives events without data an empty object', () => {
    const stop = parseMessage('{"timestamp": {"seconds": 5, "microseconds": 6}, "event": "STOP"}');
    expect(stop).toEqual({
      kind: 'event',
      event: 'STOP',
      data: {},
      timestamp: { seconds: 5, microseconds: 6 },
    });
    const shutdown = parseMessage(
      '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}',
    );
    expect(shutdown).toMatchObject({ kind: 'event', data: { guest: true, reason: 'guest-shutdown' } });
  });

  it.each([
    ['invalid JSON', 'not json'],
    ['a non-object', '[1, 2]'],
    ['an unknown shape', '{"hello": 1}'],
    ['a greeting without version', '{"QMP": {"capabilities": []}}'],
    [
      'a greeting with a non-numeric version',
      '{"QMP": {"version": {"qemu": {"major": "7"}}, "capabilities": []}}',
    ],
  ])('throws QmpProtocolError for %s', (_what, line) => {
    expect(() => parseMessage(line)).toThrow(QmpProtocolError);
  });
});

describe('encodeCommand', () => {
  it('writes the bare JSON object, without a trailing newline', () => {
    const line = encodeCommand({ execute: 'device_del', arguments: { id: 'n0' }, id: 7 });
    expect(line).toBe('{"execute":"device_del","arguments":{"id":"n0"},"id":7}');
  });
});
