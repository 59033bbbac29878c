import { useQuery } from '@tanstack/react-query';
import { DataTable } from '../../components/DataTable.tsx';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { sessionQuery } from '../../queries/session.ts';
import { usersQuery } from '../../queries/users.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { CreateUserForm } from './CreateUserForm.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';
import { UserRow } from './UserRow.tsx';
import './users.css';

const COLUMNS = ['Name', 'Role', 'State', 'TOTP', 'Last login'] as const;

/** An admin's page: the users, their roles, and everyone's sessions. */
export function UsersPage() {
  useDocumentTitle('Users');
  const me = useQuery(sessionQuery()).data;
  const users = useQuery({ ...usersQuery(), enabled: me?.role === 'admin' });
  if (me && me.role !== 'admin')
    return (
      <section aria-labelledby="users-title">
        <h1 id="users-title">Users</h1>
        <p>Managing users needs the admin role.</p>
      </section>
    );
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {users.isPending && <Loading what="the users" />}
      {users.isError && (
        <QueryError what="the users" error={users.error} onRetry={() => void users.refetch()} />
      )}
      {users.data && (
        <DataTable label="Users" columns={COLUMNS} actions>
          {users.data.map((u) => (
            <UserRow key={u.name} user={u} me={me?.user ?? ''} />
          ))}
        </DataTable>
      )}
      <div className="columns">
        <CreateUserForm />
      </div>
      <SessionsPanel everyone />
    </section>
  );
}
