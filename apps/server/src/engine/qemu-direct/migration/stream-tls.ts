// qemu's own TLS for the live-migration stream: a `tls-creds-x509` object and the parameters that use it.
import type { QmpClient, QmpMigrateParameters } from '@virtweb/qmp';

/** The credentials object's id (one migration at a time per qemu). */
export const MIGRATION_TLS_ID = 'vw-mig-tls';

/**
 * The name the source expects in the target's certificate. NOTE: trust comes from the CA made for this one
 * migration, not from the name: a fixed name spares the certificate every address a source may reach the
 * target by.
 */
export const MIGRATION_TLS_HOSTNAME = 'virtweb-migration';

export interface StreamTls {
  /**
   * A directory with ca-cert.pem and, for the target, server-cert.pem and server-key.pem, for the source
   * client-cert.pem and client-key.pem. qemu reads them once, when the object is added: the caller may remove
   * them as soon as the call that takes this returns.
   */
  dir: string;
}

/**
 * Adds the credentials (`endpoint` server on the target, client on the source; both verify the other). The
 * stream uses them once the parameters name them (`tlsParameters`).
 * @throws QmpExecuteError when qemu refuses the files (missing, unreadable, not PEM)
 */
export async function addStreamCreds(
  qmp: QmpClient,
  tls: StreamTls,
  endpoint: 'server' | 'client',
): Promise<void> {
  // A leftover of an attempt whose end was not seen (the server restarted) would make the id taken.
  await qmp.execute('object-del', { id: MIGRATION_TLS_ID }).catch(() => undefined);
  await qmp.execute('object-add', {
    'qom-type': 'tls-creds-x509',
    id: MIGRATION_TLS_ID,
    dir: tls.dir,
    endpoint,
    'verify-peer': true,
  });
}

/**
 * The TLS parameters of a stream: the credentials object's id and (source) the name to expect, or '' for a
 * plain stream. NOTE: parameters live as long as the qemu process, so they are set for every stream: a later
 * save to a file (the same `migrate`) would otherwise try a TLS handshake with the local pipe.
 */
export function tlsParameters(
  encrypted: boolean,
  endpoint: 'server' | 'client',
): Pick<QmpMigrateParameters, 'tls-creds' | 'tls-hostname'> {
  if (endpoint === 'server') return { 'tls-creds': encrypted ? MIGRATION_TLS_ID : '' };
  return encrypted
    ? { 'tls-creds': MIGRATION_TLS_ID, 'tls-hostname': MIGRATION_TLS_HOSTNAME }
    : { 'tls-creds': '', 'tls-hostname': '' };
}

/** After an encrypted stream, either way: back to a plain stream, the credentials gone; best effort. */
export async function dropStreamTls(qmp: QmpClient): Promise<void> {
  await qmp.execute('migrate-set-parameters', tlsParameters(false, 'client')).catch(() => undefined);
  await qmp.execute('object-del', { id: MIGRATION_TLS_ID }).catch(() => undefined);
}
