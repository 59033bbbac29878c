import crypto from 'node:crypto';

/** Letters and digits that cannot be mistaken for each other when read off a log (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** `XXXX-XXXX-XXXX`: 12 characters of 31, about 59 bits. */
function generateCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)] ?? '');
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** The code as typed, without the dashes, spaces and case that do not matter. */
function normalised(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

const digest = (code: string): Buffer => crypto.createHash('sha256').update(normalised(code)).digest();

/**
 * The one-time code that guards creating the first admin of a real install: printed to the server's log,
 * typed on the first visit with the admin's name and password, good once.
 */
export class SetupCode {
  private expected: Buffer | undefined;

  constructor(readonly code: string = generateCode()) {
    this.expected = digest(code);
  }

  /** True while the code has not been used. */
  get active(): boolean {
    return this.expected !== undefined;
  }

  /** Compares in constant time (digests of equal length); false once used. */
  matches(candidate: string): boolean {
    return this.expected !== undefined && crypto.timingSafeEqual(digest(candidate), this.expected);
  }

  /** Uses the code up: it matches nothing afterwards. */
  consume(): void {
    this.expected = undefined;
  }
}
