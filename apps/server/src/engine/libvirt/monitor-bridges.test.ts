import { describe, expect, it } from 'vitest';
import { qmpObjects } from './monitor-bridges.ts';

describe('QMP commands from a stream', () => {
  it('splits JSON objects sent back to back, across chunks, with braces inside strings', () => {
    const split = qmpObjects();
    const reply = () => undefined;
    expect(split('{"execute":"qmp_capabilities"}{"execute":"human-monitor-', reply)).toEqual([
      '{"execute":"qmp_capabilities"}',
    ]);
    expect(split('command","arguments":{"command-line":"echo }{ \\"x\\""}}\n{"a":[1,{}]}', reply)).toEqual([
      '{"execute":"human-monitor-command","arguments":{"command-line":"echo }{ \\"x\\""}}',
      '{"a":[1,{}]}',
    ]);
  });

  it('passes what is not an object on (answered as a parse error) and drops none of the rest', () => {
    const split = qmpObjects();
    expect(split('x {"id":1}', () => undefined)).toEqual(['x', '{"id":1}']);
  });
});
