import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { WorkGate } from './work-gate.ts';

export { GateFullError as PasswordChecksBusyError } from './work-gate.ts';

const scryptOnPool = promisify(crypto.scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: crypto.ScryptOptions,
) => Promise<Buffer>;
// NOTE: scrypt runs on libuv's thread pool (4 threads), which file I/O needs too: one hash at a time leaves the
// other threads to the rest of the server, and a storm of logins is refused (429) instead of queueing.
const scryptGate = new WorkGate(1, 8);
const scrypt = (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions): Promise<Buffer> =>
  scryptGate.run(() => scryptOnPool(pw, salt, len, opts));
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 2 ** 20 };
const KEY_LEN = 32;

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Checks a password against a stored hash in constant time; false for malformed hashes.
 * @throws PasswordChecksBusyError when too many checks already wait for their turn.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, saltB64, keyB64] = stored.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

/** A readable random password for the first start (about 95 bits). */
export function generatePassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}
