import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30 s steps. */
const PERIOD_S = 30;
/** Codes one step either side of now are taken (a clock a little off, a code typed as it changed). */
const WINDOW = 1;
const ISSUER = 'virtweb';

function totpOf(secret: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_S,
    secret: Secret.fromBase32(secret),
  });
}

/** A new random TOTP secret (160 bits, as RFC 4226 recommends), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI and its QR code (an SVG data URL) for an authenticator app to scan. */
export function totpEnrolment(secret: string, label: string): { uri: string; qrCode: string } {
  const uri = totpOf(secret, label).toString();
  const svg = renderSVG(uri, { border: 2 });
  return { uri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/**
 * The time step `code` belongs to when it is right for `secret` at `nowMs` (within one step either side),
 * or undefined. The caller refuses a step already used (a code is good once).
 */
export function totpStep(secret: string, code: string, nowMs: number): number | undefined {
  const totp = totpOf(secret, 'check');
  const delta = totp.validate({ token: code, timestamp: nowMs, window: WINDOW });
  if (delta === null) return undefined;
  return totp.counter({ timestamp: nowMs }) + delta;
}

/** The code of `secret` at `nowMs` (tests, and a CLI that shows one). */
export function totpCode(secret: string, nowMs: number): string {
  return totpOf(secret, 'code').generate({ timestamp: nowMs });
}
