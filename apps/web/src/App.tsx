import { Navigate, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { RequireAuth } from './components/RequireAuth.tsx';
import { AccountPage } from './pages/account/AccountPage.tsx';
import { ConnectionsPage } from './pages/connections/ConnectionsPage.tsx';
import { ConsoleWindowPage } from './pages/console/ConsoleWindowPage.tsx';
import { HostPage } from './pages/host/HostPage.tsx';
import { ImagesPage } from './pages/images/ImagesPage.tsx';
import { LoginPage } from './pages/login/LoginPage.tsx';
import { NetworkPage } from './pages/networks/NetworkPage.tsx';
import { NetworksPage } from './pages/networks/NetworksPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PeersPage } from './pages/peers/PeersPage.tsx';
import { TasksPage } from './pages/tasks/TasksPage.tsx';
import { UsersPage } from './pages/users/UsersPage.tsx';
import { VmPage } from './pages/vm/VmPage.tsx';
import { NewVmPage } from './pages/vms/NewVmPage.tsx';
import { VmsPage } from './pages/vms/VmsPage.tsx';

/**
 * The routes: /login outside, everything else behind the session check and (but for the pop-out screen) the
 * header layout.
 */
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        {/* The pop-out screen: a window of its own, without the header. */}
        <Route path="vms/:id/console-window" element={<ConsoleWindowPage />} />
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/vms" replace />} />
          <Route path="vms" element={<VmsPage />} />
          <Route path="vms/new" element={<NewVmPage />} />
          <Route path="vms/:id" element={<VmPage />} />
          <Route path="images" element={<ImagesPage />} />
          <Route path="networks" element={<NetworksPage />} />
          <Route path="networks/:name" element={<NetworkPage />} />
          <Route path="connections" element={<ConnectionsPage />} />
          <Route path="host" element={<HostPage />} />
          <Route path="peers" element={<PeersPage />} />
          <Route path="tasks" element={<TasksPage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
