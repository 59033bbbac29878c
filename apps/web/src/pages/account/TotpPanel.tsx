import { useState, type SubmitEvent } from 'react';
import { TotpCodeSchema, type TotpEnrolment } from '@virtweb/protocol';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useBeginTotp, useConfirmTotp, useRemoveOwnTotp } from '../../queries/users.ts';

/**
 * Two-step login with an authenticator app (TOTP): begin (a QR code and the secret), confirm with a first
 * code; or remove it.
 */
export function TotpPanel({ enrolled }: { enrolled: boolean }) {
  const begin = useBeginTotp();
  const confirm = useConfirmTotp();
  const remove = useRemoveOwnTotp();
  const notify = useNotify();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();

  const start = () =>
    begin.mutate(undefined, {
      onSuccess: (e) => {
        setEnrolment(e);
        setCode('');
        setError(undefined);
      },
      onError: (err) => notify.error('Could not begin', err),
    });

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = TotpCodeSchema.safeParse(code);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    confirm.mutate(parsed.data, {
      onSuccess: () => {
        setEnrolment(null);
        notify.success('The authenticator is on: logins now ask for its code');
      },
      onError: (err) => setError(err.message),
    });
  };

  return (
    <section className="panel" aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator app</h2>
      {enrolled && !enrolment && (
        <>
          <p>Logins ask for the code of your authenticator app after the password.</p>
          <ConfirmButton
            label="Remove authenticator"
            title="Remove the authenticator?"
            danger
            busy={remove.isPending}
            onConfirm={() =>
              remove.mutate(undefined, { onError: (err) => notify.error('Could not remove', err) })
            }
          >
            Logins then need the password alone.
          </ConfirmButton>
        </>
      )}
      {!enrolled && !enrolment && (
        <>
          <p className="muted">Off: logins need the password alone.</p>
          <button type="button" className="btn" disabled={begin.isPending} onClick={start}>
            Set up an authenticator
          </button>
        </>
      )}
      {enrolment && (
        <form className="form" onSubmit={submit} noValidate>
          <p>
            Scan this code with your authenticator app, or type the secret into it, then enter the code it
            shows.
          </p>
          <img className="totp-qr" src={enrolment.qrCode} alt="QR code of the authenticator secret" />
          <p>
            Secret:{' '}
            <code className="totp-secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          <Field label="Code from the app" error={error}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              />
            )}
          </Field>
          <div className="form-buttons">
            <button type="button" className="btn" onClick={() => setEnrolment(null)}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={confirm.isPending}>
              Turn on
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
