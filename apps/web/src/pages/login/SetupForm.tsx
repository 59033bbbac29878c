import { useState, type SubmitEvent } from 'react';
import { UsernameSchema } from '@virtweb/protocol';
import { useSetup } from '../../queries/session.ts';
import { loginErrorMessage } from './loginError.ts';

/** A real install's first visit: the setup code from the server's log, then the admin's name and password. */
export function SetupForm({ onDone }: { onDone: () => void }) {
  const setup = useSetup();
  const [code, setCode] = useState('');
  const [name, setName] = useState('admin');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const nameProblem = UsernameSchema.safeParse(name).error?.issues[0]?.message;
  const problem =
    nameProblem ??
    (password.length > 0 && password.length < 8
      ? 'The password needs at least 8 characters.'
      : again !== '' && again !== password
        ? 'The two passwords differ.'
        : undefined);
  const ready = code !== '' && password.length >= 8 && again === password && nameProblem === undefined;

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!ready || setup.isPending) return;
    setup.mutate({ code, name, password }, { onSuccess: onDone });
  };
  const message = setup.error ? loginErrorMessage(setup.error) : problem;

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="setup-title" noValidate>
        <h1 id="setup-title">Set up virtweb</h1>
        <p className="muted">
          Create the first admin. The setup code is in the server&apos;s log (
          <code>journalctl -u virtweb</code>).
        </p>
        <div className="field">
          <label htmlFor="setup-code">Setup code</label>
          <input
            id="setup-code"
            type="text"
            autoComplete="off"
            autoFocus
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="setup-name">Admin user name</label>
          <input
            id="setup-name"
            type="text"
            autoComplete="username"
            required
            value={name}
            onChange={(e) => setName(e.target.value.trim().toLowerCase())}
          />
        </div>
        <div className="field">
          <label htmlFor="setup-password">Password</label>
          <input
            id="setup-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="setup-again">Password again</label>
          <input
            id="setup-again"
            type="password"
            autoComplete="new-password"
            required
            value={again}
            onChange={(e) => setAgain(e.target.value)}
          />
        </div>
        {message && (
          <p className="form-error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={!ready || setup.isPending}>
          {setup.isPending ? 'Creating…' : 'Create the admin'}
        </button>
      </form>
    </main>
  );
}
