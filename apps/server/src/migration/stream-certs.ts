// Certificates for one encrypted live-migration stream: the target makes a CA, its own server certificate and
// the source's client certificate, and hands the client's half to the source over the peers' pinned HTTPS.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { MIGRATION_TLS_HOSTNAME } from '../engine/guest-migration.ts';
import type { QemuAccess } from '../host/qemu-access.ts';

const run = promisify(execFile);
/** A migration's certificates are used within minutes; a day leaves room for a slow disk copy. */
const VALID_DAYS = 1;
const MAX_PEM = 8192;

/** What the source needs (sent in the target's answer): the CA and the client's certificate and key. */
export const ClientCredsSchema = z.strictObject({
  caCert: z.string().max(MAX_PEM),
  clientCert: z.string().max(MAX_PEM),
  clientKey: z.string().max(MAX_PEM),
});
export type ClientCreds = z.infer<typeof ClientCredsSchema>;

export interface StreamCerts {
  /** The files of qemu's `tls-creds-x509` `dir` for the target (endpoint server). */
  server: Record<string, string>;
  client: ClientCreds;
}

/**
 * Makes a CA for one migration (its key is thrown away at once), a server certificate for
 * `MIGRATION_TLS_HOSTNAME` and a client certificate, all EC P-256, by running openssl.
 * @throws Error when openssl fails (its own words)
 */
export async function makeStreamCerts(openssl = 'openssl'): Promise<StreamCerts> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'virtweb-mig-ca-'));
  const at = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-sha256', '-nodes'];
  const signed = ['-CA', at('ca-cert.pem'), '-CAkey', at('ca-key.pem')];
  // NOTE: `-config /dev/null` keeps Debian's openssl.cnf from adding its own extensions; qemu (gnutls) checks
  // each certificate's constraints and key usage, so they are spelled out.
  const cert = (name: string, cn: string, ext: string[], ca: string[] = []) =>
    run(openssl, [
      'req',
      '-x509',
      '-config',
      '/dev/null',
      ...ec,
      ...ca,
      '-days',
      String(VALID_DAYS),
      '-subj',
      `/O=virtweb/CN=${cn}`,
      ...ext.flatMap((e) => ['-addext', e]),
      '-keyout',
      at(`${name}-key.pem`),
      '-out',
      at(`${name}-cert.pem`),
    ]);
  const leaf = (purpose: string) => [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${purpose}`,
  ];
  try {
    await cert('ca', 'virtweb migration CA', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await cert(
      'server',
      MIGRATION_TLS_HOSTNAME,
      [...leaf('serverAuth'), `subjectAltName=DNS:${MIGRATION_TLS_HOSTNAME}`],
      signed,
    );
    await cert('client', 'virtweb migration source', leaf('clientAuth'), signed);
    const read = (name: string) => fs.readFile(at(name), 'utf8');
    const caCert = await read('ca-cert.pem');
    return {
      server: {
        'ca-cert.pem': caCert,
        'server-cert.pem': await read('server-cert.pem'),
        'server-key.pem': await read('server-key.pem'),
      },
      client: { caCert, clientCert: await read('client-cert.pem'), clientKey: await read('client-key.pem') },
    };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(
      `openssl could not make the migration's certificates: ${stderr || (err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The files of qemu's `tls-creds-x509` `dir` for the source (endpoint client). */
export const clientFiles = (creds: ClientCreds): Record<string, string> => ({
  'ca-cert.pem': creds.caCert,
  'client-cert.pem': creds.clientCert,
  'client-key.pem': creds.clientKey,
});

/** Where a guest's credentials are written for qemu to read (beside its sockets, in its run dir). */
export const credsDir = (runDir: string): string => path.join(runDir, 'stream-tls');

/**
 * Writes `files` into a fresh 0700 directory `dir` (0600 each, granted to qemu's user read-only), runs `use`
 * with it, and removes the directory again whatever happens.
 */
export async function withCredsDir<T>(
  access: Pick<QemuAccess, 'grant'>,
  dir: string,
  files: Record<string, string>,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { mode: 0o700 });
  try {
    const paths = Object.keys(files).map((name) => path.join(dir, name));
    for (const [name, text] of Object.entries(files)) {
      await fs.writeFile(path.join(dir, name), text, { mode: 0o600 });
    }
    await access.grant({ readOnly: paths });
    return await use(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
