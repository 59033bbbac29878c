import type { DomainError, DomainErrorKind } from '../domain/errors.ts';

/** Close codes in the private range (4000 + the HTTP status of the same refusal); the reason text is for people. */
export const WsClose = { notFound: 4404, wrongState: 4409, tooSlow: 4408, revoked: 4401 } as const;

/** The close code of each kind of domain error: the one place where what services say becomes a close. */
const CLOSE_OF_KIND: Record<DomainErrorKind, number> = {
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

/** A close reason may take 123 bytes (RFC 6455: 125 bytes of payload, 2 of them the code). */
const MAX_REASON_BYTES = 123;

/** How a websocket is closed for a service's error: its kind's code, its message as the reason (cut to fit). */
export function closeOf(err: DomainError): { code: number; reason: string } {
  return { code: CLOSE_OF_KIND[err.kind], reason: fitReason(err.message) };
}

function fitReason(text: string): string {
  if (Buffer.byteLength(text) <= MAX_REASON_BYTES) return text;
  let cut = '';
  for (const ch of text) {
    if (Buffer.byteLength(cut + ch) > MAX_REASON_BYTES - 3) break;
    cut += ch;
  }
  return `${cut}...`;
}
