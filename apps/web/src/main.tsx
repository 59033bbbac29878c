// The global styles first: pages' and components' own styles (imported beside them) come after them in the cascade.
import './styles.css';
import './styles/page.css';
import './styles/tables.css';
import './styles/badges.css';
import './styles/buttons.css';
import './styles/forms.css';
import './styles/dialogs.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createBrowserRouter } from 'react-router-dom';
import { App } from './App.tsx';
import { NotificationsProvider } from './components/notify/NotificationsProvider.tsx';
import { createQueryClient } from './queries/client.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// A data router (App's routes below one splat route): pages may hold a navigation away (useBlocker).
const router = createBrowserRouter([
  {
    path: '*',
    element: (
      <NotificationsProvider>
        <App />
      </NotificationsProvider>
    ),
  },
]);

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
