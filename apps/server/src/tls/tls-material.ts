import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TlsSetting } from '../config.ts';
import { isoDate, sanList } from './certificate-names.ts';
import { hostNames } from './host-names.ts';
import { generateSelfSigned } from './self-signed.ts';

/** The certificate (PEM, possibly with its chain) and key the HTTPS server presents, and what they are. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 of the certificate (DER), `AB:CD:…`: what a browser shows and a peer pins. */
  fingerprint: string;
  /** `generated`: the self-signed one in the data dir; `files`: the admin's (VIRTWEB_TLS_CERT/_KEY). */
  source: 'generated' | 'files';
  certPath: string;
  /** The names and addresses the certificate is valid for (its subject alternative names). */
  names: string[];
  validTo: string;
  /** True when this start made the certificate. */
  generatedNow: boolean;
}

/** The TLS configuration cannot be used: the start stops with this message. */
export class TlsSetupError extends Error {
  override name = 'TlsSetupError';
}

/**
 * The certificate and key to serve, or undefined when TLS is off. A generated certificate is made on the first
 * start (`<data>/tls/cert.pem`, `key.pem` 0600) and kept; the admin's files are read as they are.
 * @throws TlsSetupError (unreadable files, not PEM, a key that is not the certificate's)
 */
export async function loadTlsMaterial(
  setting: TlsSetting,
  generate: (certPath: string, keyPath: string) => Promise<void> = async (c, k) =>
    generateSelfSigned(await hostNames(), c, k),
): Promise<TlsMaterial | undefined> {
  if (setting.mode === 'off') return undefined;
  if (setting.mode === 'files') {
    const cert = await readPem(setting.certPath, 'VIRTWEB_TLS_CERT');
    const key = await readPem(setting.keyPath, 'VIRTWEB_TLS_KEY');
    return describe(cert, key, setting.certPath, setting.keyPath, 'files', false);
  }
  const certPath = path.join(setting.dir, 'cert.pem');
  const keyPath = path.join(setting.dir, 'key.pem');
  const have = await Promise.all(
    [certPath, keyPath].map((f) =>
      fs.access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  const generatedNow = !have.every(Boolean);
  if (generatedNow) {
    try {
      await generate(certPath, keyPath);
    } catch (err) {
      throw new TlsSetupError(`cannot make a TLS certificate in ${setting.dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  // A key left readable by others (restored from a backup, say) is narrowed, as the database is.
  await fs.chmod(keyPath, 0o600).catch(() => undefined);
  const cert = await readPem(certPath, 'the generated certificate');
  const key = await readPem(keyPath, 'the generated key');
  return describe(cert, key, certPath, keyPath, 'generated', generatedNow);
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new TlsSetupError(`${what}: cannot read ${file} (${code})`, { cause: err });
  }
}

/** Parses both and checks that the key is the certificate's. @throws TlsSetupError */
function describe(
  certPem: Buffer,
  keyPem: Buffer,
  certPath: string,
  keyPath: string,
  source: TlsMaterial['source'],
  generatedNow: boolean,
): TlsMaterial {
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch (err) {
    throw new TlsSetupError(`${certPath} is not a PEM certificate`, { cause: err });
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (err) {
    throw new TlsSetupError(`${keyPath} is not an unencrypted PEM private key`, { cause: err });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsSetupError(
      `the key ${keyPath} does not belong to the certificate ${certPath} (certificate ${cert.fingerprint256})`,
    );
  }
  return {
    cert: certPem,
    key: keyPem,
    fingerprint: cert.fingerprint256,
    source,
    certPath,
    names: sanList(cert.subjectAltName),
    validTo: isoDate(cert.validTo),
    generatedNow,
  };
}
