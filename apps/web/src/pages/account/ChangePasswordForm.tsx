import { useState, type SubmitEvent } from 'react';
import { ChangePasswordRequestSchema } from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useChangeOwnPassword } from '../../queries/users.ts';

/** Changes one's own password (the current one proves it); one's other sessions end. */
export function ChangePasswordForm() {
  const change = useChangeOwnPassword();
  const notify = useNotify();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [error, setError] = useState<string | undefined>();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = ChangePasswordRequestSchema.safeParse({ currentPassword, newPassword });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    setError(undefined);
    change.mutate(parsed.data, {
      onSuccess: () => {
        notify.success('Password changed; your other sessions ended');
        setCurrent('');
        setNew('');
      },
      onError: (err) => setError(err.status === 403 ? 'The current password is wrong.' : err.message),
    });
  };

  return (
    <section className="panel" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Current password">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
        <Field label="New password" error={error} hint="8 characters at least">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNew(e.target.value)}
            />
          )}
        </Field>
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}
