import { useRef, useState, type SubmitEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ErrorCode } from '@virtweb/protocol';
import { sessionQuery, setupQuery, useLogin } from '../../queries/session.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { loginErrorMessage } from './loginError.ts';
import { SetupForm } from './SetupForm.tsx';
import './login.css';

/** The last user name that logged in here (the quick start's only user, `admin`, until another did). */
const LAST_USER_KEY = 'virtweb.lastUser';

function returnPath(state: unknown): string {
  if (typeof state === 'object' && state !== null && 'from' in state && typeof state.from === 'string') {
    return state.from.startsWith('/') && state.from !== '/login' ? state.from : '/vms';
  }
  return '/vms';
}

/**
 * User name and password, then (for a user with TOTP) the authenticator code; the server answers with an
 * HttpOnly cookie. A real install's first visit makes the admin with the setup code instead.
 */
export function LoginPage() {
  useDocumentTitle('Log in');
  const session = useQuery(sessionQuery());
  const setup = useQuery(setupQuery());
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState(() => localStorage.getItem(LAST_USER_KEY) ?? 'admin');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const target = returnPath(location.state);

  if (session.data) return <Navigate to={target} replace />;
  const done = () => void navigate(target, { replace: true });
  if (setup.data?.needed) return <SetupForm onDone={done} />;

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (password === '' || login.isPending || (askCode && code.length !== 6)) return;
    login.mutate(
      { username, password, ...(askCode ? { totp: code } : {}) },
      {
        onSuccess: () => {
          localStorage.setItem(LAST_USER_KEY, username);
          done();
        },
        onError: (err) => {
          // The code field takes the focus as it appears (autoFocus).
          if (err.code === ErrorCode.totpRequired) {
            setAskCode(true);
          } else if (askCode) {
            codeInput.current?.select();
          } else {
            // Retyping replaces the wrong password.
            passwordInput.current?.select();
          }
        },
      },
    );
  };

  const error = login.error;
  const message = error && error.code !== ErrorCode.totpRequired ? loginErrorMessage(error) : null;

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">virtweb</h1>
        <p className="muted">Virtual machines on this host, in the browser.</p>
        <div className="field" hidden={askCode}>
          <label htmlFor="login-username">User name</label>
          <input
            id="login-username"
            type="text"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value.trim().toLowerCase())}
          />
        </div>
        <div className="field" hidden={askCode}>
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            ref={passwordInput}
            type="password"
            autoComplete="current-password"
            autoFocus
            required
            value={password}
            aria-invalid={message !== null && !askCode}
            aria-describedby={message ? 'login-error' : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {askCode && (
          <div className="field">
            <label htmlFor="login-code">Authenticator code</label>
            <input
              id="login-code"
              ref={codeInput}
              autoFocus
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              aria-invalid={message !== null}
              aria-describedby={message ? 'login-error' : 'login-code-hint'}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            />
            <p id="login-code-hint" className="field-hint">
              The 6 digits your authenticator app shows for virtweb ({username}).
            </p>
          </div>
        )}
        {message && (
          <p id="login-error" className="form-error" role="alert">
            {message}
          </p>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={login.isPending || password === '' || (askCode && code.length !== 6)}
          aria-busy={login.isPending}
        >
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
