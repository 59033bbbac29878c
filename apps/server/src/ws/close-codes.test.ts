// The one place where services' domain errors become websocket closes: each kind's code, the message as the
// reason (cut to the 123 bytes a close frame has room for).
import { describe, expect, it } from 'vitest';
import { Conflict, NotFound, type DomainErrorKind } from '../domain/errors.ts';
import { ONE_OF_EACH_KIND } from '../domain/test-support.ts';
import { closeOf, WsClose } from './close-codes.ts';

/** The close code of each kind (the Record makes a kind added later fail to compile here until it is mapped). */
const CODE: Record<DomainErrorKind, number> = {
  invalid: 4400,
  forbidden: 4403,
  notFound: WsClose.notFound,
  conflict: WsClose.wrongState,
  tooLarge: 4413,
  throttled: 4429,
  peerRefused: 1014,
  unavailable: 1014,
  noSpace: 1011,
  hostFault: 1011,
};

describe('closeOf', () => {
  it.each(Object.entries(ONE_OF_EACH_KIND))(
    'closes for a %s error with its code and its words',
    (kind, err) => {
      expect(closeOf(err)).toEqual({ code: CODE[kind as DomainErrorKind], reason: err.message });
    },
  );

  it('keeps the codes the consoles have always used: 4404 no such VM, 4409 not running or taken', () => {
    expect(closeOf(new NotFound('VM x', 'no VM x'))).toEqual({ code: 4404, reason: 'no VM x' });
    expect(closeOf(new Conflict('busy', 'the monitor is open in another window'))).toEqual({
      code: 4409,
      reason: 'the monitor is open in another window',
    });
  });

  it('cuts a long reason to 123 bytes at a character boundary', () => {
    const reason = closeOf(new Conflict('wrong_state', `VM ${'é'.repeat(200)} is not running`)).reason;
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason.startsWith('VM éé')).toBe(true);
    expect(reason.endsWith('...')).toBe(true);
    expect(reason).not.toContain('\ufffd');
  });
});
