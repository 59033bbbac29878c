import type { HostTls } from '@virtweb/protocol';

/**
 * The certificate this server presents: its SHA-256 fingerprint is what the browser's certificate viewer and
 * a peer adding this server show, to compare before trusting it. Nothing when the host sends no TLS facts.
 */
export function TlsPanel({ tls }: { tls: HostTls | null | undefined }) {
  if (tls === undefined) return null;
  return (
    <div className="panel" aria-labelledby="tls-title">
      <h2 id="tls-title">HTTPS certificate</h2>
      {tls === null ? (
        <p>
          This server speaks plain HTTP (<code>VIRTWEB_TLS=off</code>): put a TLS proxy in front of it.
        </p>
      ) : (
        <dl className="facts">
          <dt>SHA-256 fingerprint</dt>
          <dd>
            <code className="fingerprint" data-testid="tls-fingerprint">
              {tls.fingerprint}
            </code>
          </dd>
          <dt>Certificate</dt>
          <dd>
            {tls.source === 'generated'
              ? 'self-signed, made by virtweb on its first start'
              : 'the administrator’s (VIRTWEB_TLS_CERT)'}
          </dd>
          <dt>Valid for</dt>
          <dd>{tls.names.join(', ')}</dd>
          <dt>Valid until</dt>
          <dd>{tls.validTo === '' ? 'unknown' : new Date(tls.validTo).toLocaleDateString()}</dd>
        </dl>
      )}
    </div>
  );
}
