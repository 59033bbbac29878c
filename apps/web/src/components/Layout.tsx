import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useEventsSync } from '../queries/events.ts';
import { useQuery } from '@tanstack/react-query';
import { sessionQuery, useLogout } from '../queries/session.ts';
import { ConnectionIndicator } from './ConnectionIndicator.tsx';
import { ReconnectBanner } from './ReconnectBanner.tsx';
import './reconnect.css';
import { useNotify } from './notify/context.ts';
import './layout.css';

const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'nav-link active' : 'nav-link');

/** The logged-in frame: header nav, events connection (live caches) and the page below. */
export function Layout() {
  const { status, retryNow } = useEventsSync();
  const logout = useLogout();
  const me = useQuery(sessionQuery()).data;
  const notify = useNotify();
  const navigate = useNavigate();

  const onLogout = () =>
    logout.mutate(undefined, {
      onSuccess: () => void navigate('/login', { replace: true }),
      onError: (err) => notify.error('Could not log out', err),
    });

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">virtweb</span>
        <nav aria-label="Main">
          <NavLink to="/vms" className={navClass}>
            Guests
          </NavLink>
          <NavLink to="/images" className={navClass}>
            Images
          </NavLink>
          <NavLink to="/networks" className={navClass}>
            Networks
          </NavLink>
          <NavLink to="/connections" className={navClass}>
            Connections
          </NavLink>
          <NavLink to="/host" className={navClass}>
            Host
          </NavLink>
          <NavLink to="/peers" className={navClass}>
            Peers
          </NavLink>
          <NavLink to="/tasks" className={navClass}>
            Tasks
          </NavLink>
          {me?.role === 'admin' && (
            <NavLink to="/users" className={navClass}>
              Users
            </NavLink>
          )}
        </nav>
        <div className="header-end">
          <ConnectionIndicator status={status} />
          {me && (
            <NavLink to="/account" className={navClass} title={`Your account (${me.role} role)`}>
              {me.user}
            </NavLink>
          )}
          <button type="button" className="btn btn-quiet" onClick={onLogout} disabled={logout.isPending}>
            Log out
          </button>
        </div>
      </header>
      <ReconnectBanner status={status} retryNow={retryNow} />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
