import { describe, expect, it } from 'vitest';
import { closeReason } from './useConsoleSession.ts';

describe('closeReason', () => {
  it("uses the server's reason when it gave one", () => {
    expect(closeReason({ code: 4408, reason: 'guest not reading input: reconnect' })).toBe(
      'guest not reading input: reconnect',
    );
  });

  it('names the codes the server closes with without a reason', () => {
    expect(closeReason({ code: 1009, reason: '' })).toBe(
      'the server refused a message larger than this console takes',
    );
    expect(closeReason({ code: 1007, reason: '' })).toBe('the server refused text that was not valid UTF-8');
    expect(closeReason({ code: 1006, reason: '' })).toBe('the connection was lost');
    expect(closeReason({ code: 1011, reason: '' })).toBe('the connection closed (code 1011)');
  });
});
