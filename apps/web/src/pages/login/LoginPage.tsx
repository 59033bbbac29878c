import { useRef, useState, type SubmitEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { sessionQuery, useLogin } from '../../queries/session.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { loginErrorMessage } from './loginError.ts';
import './login.css';

function returnPath(state: unknown): string {
  if (typeof state === 'object' && state !== null && 'from' in state && typeof state.from === 'string') {
    return state.from.startsWith('/') && state.from !== '/login' ? state.from : '/vms';
  }
  return '/vms';
}

/** Password login; the server answers with an HttpOnly cookie. */
export function LoginPage() {
  useDocumentTitle('Log in');
  const session = useQuery(sessionQuery());
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [password, setPassword] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const target = returnPath(location.state);

  if (session.data) return <Navigate to={target} replace />;

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (password === '' || login.isPending) return;
    login.mutate(password, {
      onSuccess: () => void navigate(target, { replace: true }),
      // Retyping replaces the wrong password.
      onError: () => input.current?.select(),
    });
  };

  const error = login.error;
  const message = error ? loginErrorMessage(error) : null;

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">virtweb</h1>
        <p className="muted">Virtual machines on this host, in the browser.</p>
        {/* For password managers: the only account is "admin". */}
        <input type="text" name="username" autoComplete="username" value="admin" readOnly hidden />
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            ref={input}
            type="password"
            autoComplete="current-password"
            autoFocus
            required
            value={password}
            aria-invalid={message !== null}
            aria-describedby={message ? 'login-error' : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {message && (
          <p id="login-error" className="form-error" role="alert">
            {message}
          </p>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={login.isPending || password === ''}
          aria-busy={login.isPending}
        >
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
