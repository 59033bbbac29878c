import { useState, type SubmitEvent } from 'react';
import { AddPeerRequestSchema, ErrorCode } from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useAddPeer } from '../../queries/peers.ts';

type Errors = Partial<Record<'url' | 'token', string>>;

/** Registers another virtweb server: its URL and a token created on it. The server checks both first. */
export function AddPeerForm() {
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const add = useAddPeer();
  const notify = useNotify();

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
    add.mutate(parsed.data, {
      onSuccess: (peer) => {
        notify.success(`Added peer ${peer.name}`);
        setUrl('');
        setToken('');
      },
      onError: (err) => {
        const next: Errors = {};
        for (const d of err.details) if (d.path === 'url' || d.path === 'token') next[d.path] ??= d.message;
        if (err.code === ErrorCode.exists) next.url = err.message;
        if (!next.url && !next.token) next.url = err.message;
        else if (next.url && err.details.length > 0) next.url = `${next.url}: ${err.message}`;
        setErrors(next);
      },
    });
  };

  return (
    <form className="form panel" onSubmit={submit} noValidate aria-labelledby="add-peer-title">
      <h2 id="add-peer-title">Add a peer</h2>
      <p className="muted">
        On the other server, create a token with the Peer scope (Admin to also start and stop its guests from
        here) on its Peers page, then enter its address and the token here. The other server must listen on an
        address this one can reach (VIRTWEB_HOST).
      </p>
      <Field label="Server URL" error={errors.url} hint="e.g. http://host-b:8080">
        {(p) => (
          <input
            {...p}
            value={url}
            inputMode="url"
            autoComplete="off"
            onChange={(e) => setUrl(e.target.value)}
          />
        )}
      </Field>
      <Field label="API token" error={errors.token} hint="vwt_…, created on that server">
        {(p) => <input {...p} value={token} autoComplete="off" onChange={(e) => setToken(e.target.value)} />}
      </Field>
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={add.isPending} aria-busy={add.isPending}>
          {add.isPending ? 'Checking…' : 'Add peer'}
        </button>
      </div>
    </form>
  );
}
