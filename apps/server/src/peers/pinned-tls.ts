// Peers use self-signed certificates: no CA vouches for them, so a peer is trusted by the SHA-256 fingerprint of
// its certificate, confirmed by the user when adding it (pinned), and every later connection compares it.
import net from 'node:net';
import tls from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { isoDate, sanList } from '../tls/certificate-names.ts';

/** The peer presented another certificate than the one pinned when it was added. */
export class PinMismatchError extends Error {
  override name = 'PinMismatchError';
  constructor(
    readonly pinned: string,
    readonly presented: string,
  ) {
    super(`its certificate is ${presented}, not the pinned ${pinned}`);
  }
}

/** How long reading a peer's certificate may take. */
const PROBE_TIMEOUT_MS = 5000;
const agents = new Map<string, Agent>();

/**
 * An undici dispatcher whose TLS connections must present the certificate with this fingerprint (`AB:CD:…`);
 * the chain and the name are not checked, the pin replaces both. One per pin, its connections reused.
 */
export function pinnedAgent(fingerprint: string): Agent {
  const pin = fingerprint.toUpperCase();
  let agent = agents.get(pin);
  if (agent === undefined) {
    // NOTE: no TLS session resumption: a resumed session presents no certificate to compare.
    const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
    agent = new Agent({
      connect: (opts, done) =>
        connect(opts, (err, socket) => {
          if (err !== null) {
            done(err, null);
            return;
          }
          const presented = socket instanceof tls.TLSSocket ? (fingerprintOf(socket) ?? 'none') : pin;
          if (presented !== pin) {
            socket.destroy();
            done(new PinMismatchError(pin, presented), null);
            return;
          }
          done(null, socket);
        }),
    });
    agents.set(pin, agent);
  }
  return agent;
}

/** What an https URL's server presents: its certificate's fingerprint and names, before anything is trusted. */
export interface PresentedCertificate {
  fingerprint: string;
  names: string[];
  validTo: string;
}

/**
 * Connects to `url` (https) and reads the certificate it presents, without trusting it.
 * @throws Error (cannot connect, no TLS there, timed out)
 */
export function presentedCertificate(url: URL): Promise<PresentedCertificate> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      // SNI takes names only.
      ...(net.isIP(host) !== 0 ? {} : { servername: host }),
      rejectUnauthorized: false,
      timeout: PROBE_TIMEOUT_MS,
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      const fingerprint = fingerprintOf(socket);
      if (fingerprint === undefined) {
        reject(new Error('it presented no certificate'));
        return;
      }
      resolve({
        fingerprint,
        names: sanList(cert.subjectaltname),
        validTo: isoDate(cert.valid_to),
      });
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('timed out'));
    });
    socket.once('error', (err: Error) => reject(err));
  });
}

function fingerprintOf(socket: tls.TLSSocket): string | undefined {
  const cert = socket.getPeerCertificate();
  return typeof cert.fingerprint256 === 'string' && cert.fingerprint256 !== ''
    ? cert.fingerprint256
    : undefined;
}
