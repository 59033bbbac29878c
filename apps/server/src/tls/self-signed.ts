import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HostNames } from './host-names.ts';

const run = promisify(execFile);
/** Ten years: a certificate the admin confirmed once (and peers pinned) should not change under them. */
const VALID_DAYS = 3650;

/**
 * Makes a self-signed certificate (EC P-256, SHA-256) for `names` at `certPath` with its key at `keyPath`
 * (0600), by running `openssl req -x509`. Both files appear together or not at all (written beside, renamed).
 * @throws Error when openssl fails (its own words)
 */
export async function generateSelfSigned(
  names: HostNames,
  certPath: string,
  keyPath: string,
  openssl = 'openssl',
): Promise<void> {
  const sans = [...names.dns.map((n) => `DNS:${n}`), ...names.ips.map((a) => `IP:${a}`)].join(',');
  const common = names.dns[0] ?? 'localhost';
  const newKey = `${keyPath}.new`;
  const newCert = `${certPath}.new`;
  await fs.mkdir(path.dirname(keyPath), { recursive: true, mode: 0o700 });
  // The key file exists 0600 before openssl writes into it (openssl keeps the mode of a file it truncates).
  await fs.writeFile(newKey, '', { mode: 0o600 });
  await fs.chmod(newKey, 0o600);
  try {
    // NOTE: `-config /dev/null` keeps Debian's openssl.cnf from adding CA extensions to a server certificate.
    await run(openssl, [
      'req',
      '-x509',
      '-config',
      '/dev/null',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-sha256',
      '-nodes',
      '-days',
      String(VALID_DAYS),
      '-subj',
      `/O=virtweb/CN=${common}`,
      '-addext',
      `subjectAltName=${sans}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      newKey,
      '-out',
      newCert,
    ]);
    await fs.rename(newKey, keyPath);
    await fs.rename(newCert, certPath);
  } catch (err) {
    await Promise.all([fs.rm(newKey, { force: true }), fs.rm(newCert, { force: true })]);
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`openssl could not make a certificate: ${stderr || (err as Error).message}`, {
      cause: err,
    });
  }
}
