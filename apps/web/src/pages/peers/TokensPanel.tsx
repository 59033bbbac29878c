import { useState, type SubmitEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { CreateTokenRequestSchema, type CreatedToken, type TokenScope } from '@virtweb/protocol';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { RadioGroup } from '../../components/RadioGroup.tsx';
import { tokensQuery, useCreateToken, useRevokeToken } from '../../queries/peers.ts';
import { formatWhen, SCOPE_OPTIONS, scopeLabel } from './peerWords.ts';

const COLUMNS = ['Name', 'Scope', 'Created', 'Last used'] as const;

/** API tokens of this server: what another server needs to add this one as its peer. */
export function TokensPanel() {
  const tokens = useQuery(tokensQuery());
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const notify = useNotify();
  const [name, setName] = useState('');
  // The least a token can do, until the user chooses more.
  const [scope, setScope] = useState<TokenScope>('read');
  const [error, setError] = useState<string | undefined>();
  const [fresh, setFresh] = useState<CreatedToken | null>(null);

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = CreateTokenRequestSchema.safeParse({ name, scope });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    setError(undefined);
    create.mutate(parsed.data, {
      onSuccess: (t) => {
        setFresh(t);
        setName('');
        setScope('read');
      },
      onError: (err) => setError(err.message),
    });
  };

  const copy = (token: string) =>
    void navigator.clipboard.writeText(token).then(
      () => notify.success('Token copied'),
      () => notify.success('Select the token and copy it'),
    );

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens of this server</h2>
      <p className="muted">
        Another virtweb server adds this one as its peer with a <em>Peer</em> token made here (or an{' '}
        <em>Admin</em> one, to also start and stop its guests from there); scripts get the least scope they
        need. Only a hash is kept: the token is shown once.
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Token name" error={error} hint='what it is for, e.g. "host-b"'>
          {(p) => <input {...p} value={name} autoComplete="off" onChange={(e) => setName(e.target.value)} />}
        </Field>
        <RadioGroup legend="Scope" value={scope} options={SCOPE_OPTIONS} onChange={setScope} />
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      {fresh && (
        <div className="token-once" role="status">
          <p>
            Token <strong>{fresh.name}</strong> with the {scopeLabel(fresh.scope)} scope (shown only now):
          </p>
          <code className="token-value" data-testid="new-token">
            {fresh.token}
          </code>
          <div className="form-buttons">
            <button type="button" className="btn" onClick={() => copy(fresh.token)}>
              Copy
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setFresh(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {tokens.isPending && <Loading what="the tokens" />}
      {tokens.isError && (
        <QueryError what="the tokens" error={tokens.error} onRetry={() => void tokens.refetch()} />
      )}
      {tokens.data?.length === 0 && <p className="muted">No tokens yet.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <DataTable label="Tokens" columns={COLUMNS} actions>
          {tokens.data.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{scopeLabel(t.scope)}</td>
              <td>{formatWhen(t.createdAt)}</td>
              <td>{t.lastUsedAt ? formatWhen(t.lastUsedAt) : 'never'}</td>
              <td>
                <ConfirmButton
                  label="Revoke"
                  title={`Revoke token ${t.name}?`}
                  danger
                  busy={revoke.isPending}
                  onConfirm={() =>
                    revoke.mutate(t.id, { onError: (err) => notify.error('Could not revoke', err) })
                  }
                >
                  Servers using it can no longer reach this one.
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
