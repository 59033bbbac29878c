import { describe, expect, it } from 'vitest';
import { qmpInputFilter, refusal } from './qmp-input-filter.ts';

/** The filter's answer lines, parsed. */
const answers = (b: Buffer | undefined): unknown[] =>
  (b?.toString() ?? '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('qmpInputFilter', () => {
  it('passes JSON objects on as the checked text, one per line', () => {
    const filter = qmpInputFilter();
    // What the web console sends: one object per message, no newline.
    expect(filter(Buffer.from('{"execute":"query-status","id":"web-1"}'))).toEqual({
      toGuest: Buffer.from('{"execute":"query-status","id":"web-1"}\n'),
      toBrowser: undefined,
    });
    // Several lines in one message; one pretty-printed object.
    const lines = '{"execute":"qmp_capabilities"}\r\n{"execute":"query-name"}\n';
    expect(filter(Buffer.from(lines)).toGuest.toString()).toBe(
      '{"execute":"qmp_capabilities"}\n{"execute":"query-name"}\n',
    );
    const pretty = '{\n  "execute": "query-kvm"\n}\n';
    expect(filter(Buffer.from(pretty)).toGuest.toString()).toBe('{\n  "execute": "query-kvm"\n}\n');
    // Numbers beyond 2^53 reach qemu digit for digit.
    const big = '{"execute":"block_resize","arguments":{"size":18446744073709551615}}';
    expect(filter(Buffer.from(big)).toGuest.toString()).toBe(`${big}\n`);
  });

  it('answers malformed input with a QMP error and passes none of it', () => {
    const filter = qmpInputFilter();
    for (const bad of ['{"execute":', "{'execute':'quit'}", 'quit', '{"a":1} {"b":2}']) {
      const out = filter(Buffer.from(bad));
      expect(out.toGuest.length, bad).toBe(0);
      expect(answers(out.toBrowser), bad).toEqual([
        { error: { class: 'GenericError', desc: expect.stringMatching(/^virtweb: not JSON/) as string } },
      ]);
    }
    const notUtf8 = filter(Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]));
    expect(notUtf8.toGuest.length).toBe(0);
    expect(answers(notUtf8.toBrowser)).toEqual([
      { error: { class: 'GenericError', desc: 'virtweb: not UTF-8 text' } },
    ]);
    // A bad line spoils the whole message: nothing of it is passed on.
    expect(filter(Buffer.from('{"execute":"query-name"}\nnope\n')).toGuest.length).toBe(0);
  });

  it('answers values that are not objects, passing the objects beside them', () => {
    const out = qmpInputFilter()(Buffer.from('[1]\n{"execute":"query-name"}\n"x"\n'));
    expect(out.toGuest.toString()).toBe('{"execute":"query-name"}\n');
    expect(answers(out.toBrowser)).toEqual([
      { error: { class: 'GenericError', desc: 'virtweb: QMP input must be a JSON object' } },
      { error: { class: 'GenericError', desc: 'virtweb: QMP input must be a JSON object' } },
    ]);
  });

  it('refuses exec: migrations with an error carrying the id', () => {
    const filter = qmpInputFilter();
    const migrate = '{"execute":"migrate","arguments":{"uri":"exec:touch /tmp/x"},"id":7}';
    const out = filter(Buffer.from(migrate));
    expect(out.toGuest.length).toBe(0);
    expect(answers(out.toBrowser)).toEqual([
      {
        error: { class: 'GenericError', desc: expect.stringContaining('exec: URI is refused') as string },
        id: 7,
      },
    ]);
    const incoming = filter(Buffer.from('{"execute":"migrate-incoming","arguments":{"uri":"exec:cat x"}}'));
    expect(incoming.toGuest.length).toBe(0);
    expect(answers(incoming.toBrowser)).toHaveLength(1);
    // The refused command goes, the one beside it still reaches qemu.
    const mixed = filter(Buffer.from(`${migrate}\n{"execute":"query-migrate"}\n`));
    expect(mixed.toGuest.toString()).toBe('{"execute":"query-migrate"}\n');
    expect(answers(mixed.toBrowser)).toHaveLength(1);
  });
});

describe('refusal', () => {
  const refused = (command: Record<string, unknown>): boolean => refusal(command) !== undefined;
  const hmp = (line: string): Record<string, unknown> => ({
    execute: 'human-monitor-command',
    arguments: { 'command-line': line },
  });

  it('refuses what would make qemu start a program', () => {
    expect(refused({ execute: 'migrate', arguments: { uri: 'exec:cat > /tmp/x' } })).toBe(true);
    expect(refused({ execute: 'migrate', arguments: { uri: ' EXEC:true' } })).toBe(true);
    expect(refused({ 'exec-oob': 'migrate', arguments: { uri: 'exec:true' } })).toBe(true);
    expect(refused({ execute: 'migrate-incoming', arguments: { uri: 'exec:true' } })).toBe(true);
    const channels = [{ 'channel-type': 'main', addr: { transport: 'exec', args: ['true'] } }];
    expect(refused({ execute: 'migrate', arguments: { channels } })).toBe(true);
    expect(refused({ execute: 'netdev_add', arguments: { type: 'tap', id: 'n1' } })).toBe(true);
    expect(refused({ execute: 'netdev_add', arguments: { type: 'tap', id: 'n1', script: 'no' } })).toBe(true);
    expect(refused({ execute: 'netdev_add', arguments: { type: 'bridge', id: 'n1', br: 'br0' } })).toBe(true);
    expect(refused(hmp('migrate -d "exec:cat > /tmp/x"'))).toBe(true);
    expect(refused(hmp('migrate_incoming exec:true'))).toBe(true);
    expect(refused(hmp('netdev_add tap,id=n1'))).toBe(true);
    expect(refused(hmp('netdev_add bridge,id=n1,br=br0'))).toBe(true);
    expect(refused(hmp('netdev_add tap,id=n1,script=no,,x,downscript=no'))).toBe(true);
  });

  it('lets everything else through', () => {
    expect(refused({ execute: 'migrate', arguments: { uri: 'tcp:10.0.0.2:4444' } })).toBe(false);
    expect(refused({ execute: 'migrate-incoming', arguments: { uri: 'defer' } })).toBe(false);
    expect(refused({ execute: 'query-status' })).toBe(false);
    expect(refused({ execute: 'netdev_add', arguments: { type: 'user', id: 'n1' } })).toBe(false);
    const tap = { type: 'tap', id: 'n1', ifname: 'tap0', script: 'no', downscript: 'no' };
    expect(refused({ execute: 'netdev_add', arguments: tap })).toBe(false);
    expect(refused({ execute: 'netdev_add', arguments: { type: 'tap', id: 'n1', fd: 'tapfd' } })).toBe(false);
    expect(refused(hmp('info status'))).toBe(false);
    expect(refused(hmp('migrate_set_parameter max-bandwidth 1G'))).toBe(false);
    expect(refused(hmp('migrate -d tcp:10.0.0.2:4444'))).toBe(false);
    expect(refused(hmp('netdev_add tap,id=n1,ifname=tap0,script=no,downscript=no'))).toBe(false);
  });
});
