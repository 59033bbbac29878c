import { describe, expect, it } from 'vitest';
import { LineSplitter, classify, commandMessage, completeCommand, parseCommand } from './qmpText.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('LineSplitter', () => {
  it('yields whole CRLF lines across frame boundaries', () => {
    const split = new LineSplitter();
    expect(split.push(bytes('{"return": {}}\r\n{"ev'))).toEqual(['{"return": {}}']);
    expect(split.push(bytes('ent": "STOP"}\r'))).toEqual([]);
    expect(split.push(bytes('\n'))).toEqual(['{"event": "STOP"}']);
  });

  it('keeps a UTF-8 character cut between frames', () => {
    const split = new LineSplitter();
    const all = bytes('{"return": "é"}\r\n');
    const cut = all.indexOf(0xc3) + 1;
    expect(split.push(all.slice(0, cut))).toEqual([]);
    expect(split.push(all.slice(cut))).toEqual(['{"return": "é"}']);
  });
});

describe('classify', () => {
  it('reads the greeting', () => {
    const greeting = {
      QMP: { version: { qemu: { micro: 19, minor: 2, major: 7 }, package: '' }, capabilities: ['oob'] },
    };
    expect(classify(greeting)).toEqual({ kind: 'greeting', version: '7.2.19', capabilities: ['oob'] });
  });

  it('tells replies, errors and events apart', () => {
    expect(classify({ return: { status: 'running' }, id: 'web-1' })).toEqual({
      kind: 'return',
      id: 'web-1',
      value: { status: 'running' },
    });
    expect(classify({ error: { class: 'CommandNotFound', desc: 'nope' } })).toEqual({
      kind: 'error',
      id: undefined,
      errorClass: 'CommandNotFound',
      desc: 'nope',
    });
    const event = classify({ event: 'RESET', timestamp: { seconds: 1700000000, microseconds: 250000 } });
    expect(event).toMatchObject({ kind: 'event', event: 'RESET' });
    expect(event.kind === 'event' && event.at?.toISOString()).toBe('2023-11-14T22:13:20.250Z');
    expect(classify([1])).toEqual({ kind: 'other' });
  });
});

describe('parseCommand', () => {
  it.each([
    ['query-status', { execute: 'query-status' }],
    ['  query-block  ', { execute: 'query-block' }],
    ['{"execute":"query-status"}', { execute: 'query-status' }],
    ['{"execute":"x","arguments":{"a":1},"id":7}', { execute: 'x', arguments: { a: 1 }, id: 7 }],
    [
      'human-monitor-command {"command-line": "info status"}',
      {
        execute: 'human-monitor-command',
        arguments: { 'command-line': 'info status' },
      },
    ],
  ])('understands %j', (input, command) => {
    expect(parseCommand(input)).toEqual({ ok: true, command });
  });

  it.each([
    ['', 'type a command'],
    ['{"execute":', 'the command is not JSON'],
    ['{"arguments":{}}', 'the command needs "execute"'],
    ['{"execute":"x","arguments":[1]}', '"arguments" must be a JSON object'],
    ['query-block [1]', 'the arguments must be a JSON object'],
    ['query-block {id}', 'the arguments is not JSON'],
    ['"quoted"', 'is not a command name'],
  ])('explains what is wrong with %j', (input, error) => {
    const parsed = parseCommand(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(error);
  });
});

describe('completeCommand', () => {
  const commands = ['query-status', 'query-block', 'query-blockstats', 'quit', 'stop'];

  it('extends to the longest shared prefix, and a unique match to the name plus a space', () => {
    expect(completeCommand('query-b', commands)).toBe('query-block');
    expect(completeCommand('query-s', commands)).toBe('query-status ');
    expect(completeCommand('sto', commands)).toBe('stop ');
    expect(completeCommand('q', commands)).toBe('qu');
  });

  it('gives nothing when nothing would change', () => {
    expect(completeCommand('qu', commands)).toBe(null);
    expect(completeCommand('query-block', commands)).toBe(null);
    expect(completeCommand('nothing', commands)).toBe(null);
    expect(completeCommand('', commands)).toBe(null);
    expect(completeCommand('stop {', commands)).toBe(null);
  });
});

describe('commandMessage', () => {
  it('sends a command that fits one message, refuses a larger one', () => {
    const command = { execute: 'query-status', id: 'web-1' };
    expect(commandMessage(command, 64)).toEqual({ text: '{"execute":"query-status","id":"web-1"}' });
    const big = { execute: 'x', arguments: { data: 'é'.repeat(40) } };
    // Counted in UTF-8 bytes, as the server counts: 40 characters, 80 bytes.
    expect(commandMessage(big, 100)).toEqual({
      error: 'the command is 119 bytes; the QMP console sends at most 100',
    });
  });
});
