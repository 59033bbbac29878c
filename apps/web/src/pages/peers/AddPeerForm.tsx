import { useState, type SubmitEvent } from 'react';
import { AddPeerRequestSchema, ErrorCode, type PeerCertificate } from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import type { ApiError } from '../../api/errors.ts';
import { useAddPeer, usePeerCertificate } from '../../queries/peers.ts';
import { CertificateConfirm } from './CertificateConfirm.tsx';

type Errors = Partial<Record<'url' | 'token', string>>;

/**
 * Registers another virtweb server: its URL and a token created on it. An https:// server first shows the
 * certificate it presents; once the user confirmed its fingerprint, the peer is added with it pinned.
 */
export function AddPeerForm() {
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  /** The certificate presented at `url`, waiting for the user's confirmation. */
  const [presented, setPresented] = useState<PeerCertificate | undefined>();
  const add = useAddPeer();
  const probe = usePeerCertificate();
  const notify = useNotify();

  const showError = (err: ApiError) => {
    const next: Errors = {};
    for (const d of err.details) if (d.path === 'url' || d.path === 'token') next[d.path] ??= d.message;
    if (err.code === ErrorCode.exists || err.code === ErrorCode.peerCertificateMismatch)
      next.url = err.message;
    if (!next.url && !next.token) next.url = err.message;
    else if (next.url && err.details.length > 0) next.url = `${next.url}: ${err.message}`;
    setErrors(next);
  };

  const addWith = (fingerprint: string | undefined) => {
    const parsed = AddPeerRequestSchema.safeParse({ url, token, ...(fingerprint ? { fingerprint } : {}) });
    if (!parsed.success) return;
    add.mutate(parsed.data, {
      onSuccess: (peer) => {
        notify.success(`Added peer ${peer.name}`);
        setUrl('');
        setToken('');
        setPresented(undefined);
      },
      onError: (err) => {
        setPresented(undefined);
        showError(err);
      },
    });
  };

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = AddPeerRequestSchema.safeParse({ url, token });
    if (!parsed.success) {
      const next: Errors = {};
      for (const i of parsed.error.issues) {
        const f = i.path[0] === 'token' ? 'token' : 'url';
        next[f] ??= i.message;
      }
      return setErrors(next);
    }
    setErrors({});
    // Plain HTTP has no certificate to confirm: added at once.
    if (parsed.data.url.startsWith('http:')) return addWith(undefined);
    probe.mutate({ url: parsed.data.url }, { onSuccess: setPresented, onError: showError });
  };

  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setPresented(undefined);
  };
  const busy = add.isPending || probe.isPending;

  return (
    <form className="form panel" onSubmit={submit} noValidate aria-labelledby="add-peer-title">
      <h2 id="add-peer-title">Add a peer</h2>
      <p className="muted">
        On the other server, create a token with the Peer scope (Admin to also start and stop its guests from
        here) on its Peers page, then enter its address and the token here. The other server must listen on an
        address this one can reach (VIRTWEB_HOST). Use http:// only for a server that runs with
        VIRTWEB_TLS=off on a network you trust.
      </p>
      <Field label="Server URL" error={errors.url} hint="e.g. https://host-b:8443">
        {(p) => (
          <input
            {...p}
            value={url}
            inputMode="url"
            autoComplete="off"
            onChange={(e) => edit(setUrl)(e.target.value)}
          />
        )}
      </Field>
      <Field label="API token" error={errors.token} hint="vwt_…, created on that server">
        {(p) => (
          <input {...p} value={token} autoComplete="off" onChange={(e) => edit(setToken)(e.target.value)} />
        )}
      </Field>
      {presented?.fingerprint ? (
        <CertificateConfirm
          certificate={presented}
          fingerprint={presented.fingerprint}
          busy={add.isPending}
          onConfirm={addWith}
          onCancel={() => setPresented(undefined)}
        />
      ) : (
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Checking…' : 'Add peer'}
          </button>
        </div>
      )}
    </form>
  );
}
