import type { PeerCertificate } from '@virtweb/protocol';

interface Props {
  certificate: PeerCertificate;
  fingerprint: string;
  busy: boolean;
  onConfirm: (fingerprint: string) => void;
  onCancel: () => void;
}

/**
 * The second step of adding an https:// peer: the fingerprint its certificate has, to compare with the one on
 * that server's Host page (or printed when it started) before trusting it. Confirmed, it is pinned.
 */
export function CertificateConfirm({ certificate, fingerprint, busy, onConfirm, onCancel }: Props) {
  return (
    <div className="panel certificate-confirm" role="group" aria-labelledby="peer-cert-title">
      <h3 id="peer-cert-title">Is this the certificate of {certificate.url}?</h3>
      <p>
        Compare this SHA-256 fingerprint with the one on that server’s Host page (or printed when it started).
        Add the peer only if they are the same: every later call to it must meet this certificate.
      </p>
      <p>
        <code className="fingerprint" data-testid="peer-fingerprint">
          {fingerprint}
        </code>
      </p>
      {certificate.names.length > 0 && (
        <p className="muted small">Valid for {certificate.names.join(', ')}</p>
      )}
      <div className="form-buttons">
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          aria-busy={busy}
          onClick={() => onConfirm(fingerprint)}
        >
          {busy ? 'Checking…' : 'Same fingerprint: add peer'}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
