import { useQuery } from '@tanstack/react-query';
import { sessionQuery } from '../../queries/session.ts';
import { SessionsPanel } from '../users/SessionsPanel.tsx';
import { roleLabel } from '../users/roleWords.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { ChangePasswordForm } from './ChangePasswordForm.tsx';
import { TotpPanel } from './TotpPanel.tsx';
import '../users/users.css';

/** Every user's own page: who it is, its password, its authenticator, its sessions. */
export function AccountPage() {
  useDocumentTitle('Account');
  const me = useQuery(sessionQuery()).data;
  if (!me) return null;
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <p>
        Logged in as <strong>{me.user}</strong> with the {roleLabel(me.role)} role.
      </p>
      <div className="columns">
        <ChangePasswordForm />
        <TotpPanel enrolled={me.totp} />
      </div>
      <SessionsPanel everyone={false} />
    </section>
  );
}
